# The Event Hubs namespace (TLS 1.2 at least; Azure encrypts at rest), the records hub, the ingest consumer group,
# and two authorization rules on the hub: listen for the ingest function, send for producers.

resource "random_id" "suffix" {
  byte_length = 3
}

resource "azurerm_eventhub_namespace" "main" {
  name                = "${var.prefix}-${random_id.suffix.hex}"
  resource_group_name = azurerm_resource_group.main.name
  location            = azurerm_resource_group.main.location
  sku                 = "Standard"
  capacity            = 1
  minimum_tls_version = "1.2"
}

resource "azurerm_eventhub" "records" {
  name              = var.event_hub_name
  namespace_id      = azurerm_eventhub_namespace.main.id
  partition_count   = var.partitions
  message_retention = 7
}

resource "azurerm_eventhub_consumer_group" "ingest" {
  name                = var.consumer_group
  namespace_name      = azurerm_eventhub_namespace.main.name
  eventhub_name       = azurerm_eventhub.records.name
  resource_group_name = azurerm_resource_group.main.name
}

resource "azurerm_eventhub_authorization_rule" "ingest_listen" {
  name                = "${var.prefix}-ingest-listen"
  namespace_name      = azurerm_eventhub_namespace.main.name
  eventhub_name       = azurerm_eventhub.records.name
  resource_group_name = azurerm_resource_group.main.name
  listen              = true
  send                = false
  manage              = false
}

resource "azurerm_eventhub_authorization_rule" "producers_send" {
  name                = "${var.prefix}-producers-send"
  namespace_name      = azurerm_eventhub_namespace.main.name
  eventhub_name       = azurerm_eventhub.records.name
  resource_group_name = azurerm_resource_group.main.name
  listen              = false
  send                = true
  manage              = false
}
