"""crmhub connector for Zoho CRM (API v8, Zoho's ``zohocrmsdk8-0`` SDK), with a local sandbox."""
