"""crmhub connector for HubSpot CRM, driven through the official ``hubspot-api-client`` SDK."""
