# crmhub: the core and its connector plugins, as the README installs them.
FROM python:3.11.10-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN useradd --create-home --uid 10001 crmhub
WORKDIR /opt/crmhub
COPY pyproject.toml README.md ./
COPY hub ./hub
COPY mappings ./mappings
COPY plugins ./plugins
RUN pip install . ./plugins/salesforce ./plugins/hubspot ./plugins/zoho

USER crmhub
WORKDIR /home/crmhub
ENTRYPOINT ["crmhub"]
CMD ["--help"]
