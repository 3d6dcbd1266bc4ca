"""Switchboard: a GraphQL API for telephony configurations, phone numbers and inbound bindings."""
