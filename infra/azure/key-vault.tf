# Secrets of the Function App, read through Key Vault references in its app settings with its managed identity:
# the Event Hubs listen connection string (ingest), the Cosmos DB key (ingest and sync), and the Google credential
# sync reads Firestore with (DynamoDB needs none: federation.tf). The last is JSON text in an app setting
# (TRICLOUD_GCP_CREDENTIALS_JSON) because the Google SDK otherwise wants a file, which a Flex Consumption app
# cannot be given outside its package. RBAC authorization; only the app's identity reads secrets, the deployer
# writes them.

resource "azurerm_key_vault" "main" {
  name                       = "${var.prefix}-${random_id.suffix.hex}"
  resource_group_name        = azurerm_resource_group.main.name
  location                   = azurerm_resource_group.main.location
  tenant_id                  = data.azurerm_client_config.current.tenant_id
  sku_name                   = "standard"
  enable_rbac_authorization  = true
  purge_protection_enabled   = true
  soft_delete_retention_days = 7
}

resource "azurerm_role_assignment" "deployer_secrets" {
  scope                = azurerm_key_vault.main.id
  role_definition_name = "Key Vault Secrets Officer"
  principal_id         = data.azurerm_client_config.current.object_id
}

locals {
  app_secrets = merge(
    {
      EVENTHUB_CONNECTION_STRING = azurerm_eventhub_authorization_rule.ingest_listen.primary_connection_string
      COSMOS_KEY                 = azurerm_cosmosdb_account.main.primary_key
    },
    { TRICLOUD_GCP_CREDENTIALS_JSON = var.gcp_credentials_json },
  )
  # Keys only from names known at plan time (the connection string and key are not, on the first apply).
  app_secret_names = toset(concat(
    ["EVENTHUB_CONNECTION_STRING", "COSMOS_KEY"],
    nonsensitive(var.gcp_credentials_json == "") ? [] : ["TRICLOUD_GCP_CREDENTIALS_JSON"],
  ))
}

resource "azurerm_key_vault_secret" "app" {
  for_each = local.app_secret_names

  name         = lower(replace(each.value, "_", "-"))
  value        = local.app_secrets[each.key]
  key_vault_id = azurerm_key_vault.main.id

  depends_on = [azurerm_role_assignment.deployer_secrets]
}
