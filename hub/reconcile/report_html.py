"""The reconciliation report as one self-contained HTML page: opens offline, no server, no CDN.

Counts sit in elements carrying ``data-count`` (the tests read them in a headless browser and
compare them with ``summary.json``); charts are inline SVG drawn here; the table of differences is
filtered by kind, system, field and free text with a few lines of inline JavaScript. Every value
is HTML-escaped; the page runs no script but its own.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

from hub.reconcile.findings import Finding

__all__ = ["MAX_ROWS", "render_page"]

MAX_ROWS = 5000
"""Rows the page lists at most (``differences.csv`` always has them all)."""

_STYLE = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:24px;color:#1d2733;background:#f6f7f9}
h1{font-size:22px;margin:0 0 4px}h2{font-size:16px;margin:24px 0 8px}.muted{color:#5c6b7a}
.cards{display:flex;flex-wrap:wrap;gap:12px;margin:16px 0}.card{background:#fff;border:1px solid #dde3ea;
border-radius:8px;padding:10px 14px;min-width:120px}.card b{display:block;font-size:22px}
.charts{display:flex;flex-wrap:wrap;gap:16px}
.chart{background:#fff;border:1px solid #dde3ea;border-radius:8px;padding:8px}
table{border-collapse:collapse;background:#fff;width:100%}th,td{border:1px solid #dde3ea;padding:4px 6px;
text-align:left;vertical-align:top;font-size:13px}th{background:#eef1f5}tr.hidden{display:none}
.filters{display:flex;flex-wrap:wrap;gap:8px;margin:8px 0}.kept{font-weight:600;color:#0b6b2e}
"""

_SCRIPT = """
(function(){
  var rows=Array.prototype.slice.call(document.querySelectorAll('#differences tbody tr'));
  var kind=document.getElementById('filter-kind'),system=document.getElementById('filter-system'),
      field=document.getElementById('filter-field'),text=document.getElementById('filter-text'),
      shown=document.getElementById('shown-count');
  function apply(){
    var k=kind.value,s=system.value,f=field.value,t=text.value.toLowerCase(),n=0;
    rows.forEach(function(r){
      var ok=(!k||r.dataset.kind===k)&&(!s||(' '+r.dataset.systems+' ').indexOf(' '+s+' ')>=0)&&
             (!f||r.dataset.field===f)&&(!t||r.textContent.toLowerCase().indexOf(t)>=0);
      r.classList.toggle('hidden',!ok); if(ok){n++;}
    });
    shown.textContent=String(n);
  }
  [kind,system,field].forEach(function(e){e.addEventListener('change',apply);});
  text.addEventListener('input',apply);
  apply();
})();
"""


def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def bar_chart(title: str, items: Sequence[tuple[str, int]], chart_id: str, width: int = 420) -> str:
    """A horizontal bar chart in inline SVG; each bar carries its label and value as data attributes."""
    row, label_w = 22, 150
    height = max(1, len(items)) * row + 30
    top = max((value for _, value in items), default=0) or 1
    parts = [f'<svg id="{_e(chart_id)}" class="chart" width="{width}" height="{height}" role="img" '
             f'aria-label="{_e(title)}" xmlns="http://www.w3.org/2000/svg">',
             f'<text x="4" y="16" font-size="13" font-weight="600">{_e(title)}</text>']
    for i, (label, value) in enumerate(items):
        y = 26 + i * row
        length = round((width - label_w - 60) * value / top)
        parts.append(f'<g class="bar" data-label="{_e(label)}" data-value="{value}">'
                     f'<text x="4" y="{y + 14}" font-size="12">{_e(label[:22])}</text>'
                     f'<rect x="{label_w}" y="{y + 2}" width="{max(length, 1)}" height="{row - 6}" fill="#3d7cc9"/>'
                     f'<text x="{label_w + length + 4}" y="{y + 14}" font-size="12">{value:,}</text></g>')
    if not items:
        parts.append('<text x="4" y="40" font-size="12" fill="#5c6b7a">nothing to show</text>')
    parts.append("</svg>")
    return "".join(parts)


def drift_chart(history: Sequence[dict[str, Any]], width: int = 420, height: int = 180) -> str:
    """Differences per reconciliation over time, as an SVG line with a dot per reconciliation."""
    left, bottom, top_pad = 40, height - 24, 26
    top = max((int(h.get("differences", 0)) for h in history), default=0) or 1
    step = (width - left - 16) / max(1, len(history) - 1)
    points = []
    for i, entry in enumerate(history):
        x = left + i * step
        y = bottom - (bottom - top_pad) * int(entry.get("differences", 0)) / top
        points.append((round(x, 1), round(y, 1), entry))
    parts = [f'<svg id="chart-drift" class="chart" width="{width}" height="{height}" role="img" '
             'aria-label="differences over time" xmlns="http://www.w3.org/2000/svg">',
             '<text x="4" y="16" font-size="13" font-weight="600">Drift over time (differences per run)</text>',
             f'<line x1="{left}" y1="{bottom}" x2="{width - 8}" y2="{bottom}" stroke="#99a"/>',
             f'<text x="4" y="{top_pad + 4}" font-size="11">{top:,}</text>',
             f'<text x="4" y="{bottom}" font-size="11">0</text>']
    if len(points) > 1:
        path = " ".join(f"{x},{y}" for x, y, _ in points)
        parts.append(f'<polyline points="{path}" fill="none" stroke="#c9563d" stroke-width="2"/>')
    for x, y, entry in points:
        parts.append(f'<circle class="point" cx="{x}" cy="{y}" r="4" fill="#c9563d" data-at="{_e(entry.get("at"))}" '
                     f'data-value="{int(entry.get("differences", 0))}"><title>{_e(entry.get("at"))}: '
                     f'{int(entry.get("differences", 0)):,}</title></circle>')
    parts.append("</svg>")
    return "".join(parts)


def _card(label: str, key: str, value: Any) -> str:
    shown = f"{value:,}" if isinstance(value, int) else value
    return f'<div class="card"><span class="muted">{_e(label)}</span><b data-count="{_e(key)}">{_e(shown)}</b></div>'


def _options(element_id: str, label: str, values: Sequence[str]) -> str:
    items = "".join(f'<option value="{_e(v)}">{_e(v)}</option>' for v in values)
    return f'<label>{_e(label)} <select id="{element_id}"><option value="">all</option>{items}</select></label>'


def _row(finding: Finding, systems: Sequence[str]) -> str:
    involved = " ".join(sorted({*finding.values, *finding.records, *([finding.system] if finding.system else [])}))
    tds = [f"<td>{_e(c)}</td>" for c in (finding.kind.value, finding.hub_id, finding.system, finding.field)]
    for name in systems:
        value = finding.values.get(name)
        cls = ' class="kept"' if finding.kept == name and value is not None else ""
        tds.append(f"<td{cls}>{_e(value)}</td>")
    records = ", ".join(f"{system}: {rid}" for system, rid in finding.records.items())
    tds += [f"<td>{_e(c)}</td>" for c in (finding.kept, finding.action.value, records, finding.note)]
    return (f'<tr data-kind="{_e(finding.kind.value)}" data-field="{_e(finding.field or "")}" '
            f'data-systems="{_e(involved)}">{"".join(tds)}</tr>')


def render_page(summary: dict[str, Any], findings: Sequence[Finding]) -> str:
    """The whole page."""
    systems: list[str] = summary["systems"]
    overview = [("matched", summary["matched"]), ("differing", summary["differing"])]
    overview += [(f"missing in {name}", summary["missing"][name]) for name in systems]
    overview += [(f"duplicates in {name}", summary["duplicates"][name]) for name in systems]
    fields = list(summary["field_differences"].items())
    cards = [_card("records in " + name, f"records.{name}", summary["records"][name]) for name in systems]
    cards += [_card("hub records", "hub_records", summary["hub_records"]),
              _card("matched", "matched", summary["matched"]),
              _card("differing", "differing", summary["differing"]),
              _card("differences", "differences", summary["differences"]),
              _card("consent disagreements", "consent_disagreements", summary["consent_disagreements"])]
    cards += [_card("missing in " + name, f"missing.{name}", summary["missing"][name]) for name in systems]
    cards += [_card("duplicates in " + name, f"duplicates.{name}", summary["duplicates"][name]) for name in systems]
    cards += [_card("stale links in " + name, f"stale_links.{name}", summary["stale_links"][name]) for name in systems]
    shown = findings[:MAX_ROWS]
    kinds = sorted({f.kind.value for f in findings})
    field_names = sorted({f.field for f in findings if f.field})
    head = ["kind", "hub id", "system", "field", *(f"value in {n}" for n in systems), "kept", "action", "records",
            "note"]
    more = (f'<p class="muted">The table lists the first {MAX_ROWS:,} of {len(findings):,} differences; '
            "differences.csv has them all.</p>") if len(findings) > MAX_ROWS else ""
    title = f"Reconciliation of {' · '.join(systems)} ({summary['stream']})"
    return "".join([
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">',
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; style-src \'unsafe-inline\'; '
        "script-src 'unsafe-inline'; img-src data:\">",
        f"<title>{_e(title)}</title><style>{_STYLE}</style></head><body>",
        f"<h1>{_e(title)}</h1>",
        f'<p class="muted">run <code>{_e(summary["run_id"])}</code> at {_e(summary["at"])} · rule '
        f'<b>{_e(summary["rule"])}</b> (source {_e(summary["source"])}, target {_e(summary["target"])}) · deletes '
        f'{_e(summary["deletes"])} · compared fields: {_e(", ".join(summary["compared_fields"]))}</p>',
        f'<div class="cards">{"".join(cards)}</div>',
        '<div class="charts">',
        bar_chart("Records by result", overview, "chart-overview"),
        bar_chart("Differing fields", fields, "chart-fields"),
        drift_chart(summary.get("history", [])),
        "</div>",
        f'<h2>Differences (<span id="shown-count">{len(shown)}</span> shown)</h2>',
        '<div class="filters">', _options("filter-kind", "kind", kinds), _options("filter-system", "system", systems),
        _options("filter-field", "field", field_names),
        '<label>text <input id="filter-text" type="search" placeholder="filter"></label></div>', more,
        '<table id="differences"><thead><tr>', "".join(f"<th>{_e(h)}</th>" for h in head), "</tr></thead><tbody>",
        "".join(_row(f, systems) for f in shown), "</tbody></table>",
        f"<script>{_SCRIPT}</script></body></html>",
    ])
