# One Function App (Flex Consumption, Linux, Node 22) hosting `ingest` (Event Hubs trigger) and `sync` (timer on
# TRICLOUD_SYNC_SCHEDULE), published from dist/azure/functionapp.zip. Its system-assigned identity reads the
# deployment container and the host's storage (no storage key) and the Key Vault secrets its app settings reference.

resource "azurerm_storage_account" "functions" {
  name                            = "${var.prefix}${random_id.suffix.hex}"
  resource_group_name             = azurerm_resource_group.main.name
  location                        = azurerm_resource_group.main.location
  account_tier                    = "Standard"
  account_replication_type        = "LRS"
  min_tls_version                 = "TLS1_2"
  https_traffic_only_enabled      = true
  allow_nested_items_to_be_public = false
  shared_access_key_enabled       = false
  default_to_oauth_authentication = true
}

resource "azurerm_storage_container" "deployments" {
  name                  = "deployments"
  storage_account_id    = azurerm_storage_account.functions.id
  container_access_type = "private"
}

resource "azurerm_log_analytics_workspace" "main" {
  name                = "${var.prefix}-logs"
  resource_group_name = azurerm_resource_group.main.name
  location            = azurerm_resource_group.main.location
  sku                 = "PerGB2018"
  retention_in_days   = var.log_retention_days
}

resource "azurerm_application_insights" "main" {
  name                = "${var.prefix}-functions"
  resource_group_name = azurerm_resource_group.main.name
  location            = azurerm_resource_group.main.location
  workspace_id        = azurerm_log_analytics_workspace.main.id
  application_type    = "Node.JS"
}

resource "azurerm_service_plan" "functions" {
  name                = "${var.prefix}-functions"
  resource_group_name = azurerm_resource_group.main.name
  location            = azurerm_resource_group.main.location
  os_type             = "Linux"
  sku_name            = "FC1"
}

locals {
  secret_reference = { for name, secret in azurerm_key_vault_secret.app : name => "@Microsoft.KeyVault(SecretUri=${secret.versionless_id})" }

  azure_env = {
    EVENTHUB_NAME                          = azurerm_eventhub.records.name
    EVENTHUB_CONSUMER_GROUP                = azurerm_eventhub_consumer_group.ingest.name
    COSMOS_ENDPOINT                        = azurerm_cosmosdb_account.main.endpoint
    TRICLOUD_COSMOS_DATABASE               = azurerm_cosmosdb_sql_database.main.name
    TRICLOUD_COSMOS_AGGREGATES_CONTAINER   = azurerm_cosmosdb_sql_container.aggregates.name
    TRICLOUD_COSMOS_DEAD_LETTERS_CONTAINER = azurerm_cosmosdb_sql_container.dead_letters.name
    TRICLOUD_COSMOS_SYNC_STATE_CONTAINER   = azurerm_cosmosdb_sql_container.sync_state.name
    TRICLOUD_SYNC_SCHEDULE                 = var.sync_schedule
  }

  host_env = {
    # The host's own storage (checkpoints of the Event Hubs trigger, the timer's lease) through the identity.
    AzureWebJobsStorage__accountName = azurerm_storage_account.functions.name
    AzureWebJobsStorage__credential  = "managedidentity"
    NODE_OPTIONS                     = "--enable-source-maps"
  }
}

resource "azurerm_function_app_flex_consumption" "main" {
  name                        = "${var.prefix}-${random_id.suffix.hex}"
  resource_group_name         = azurerm_resource_group.main.name
  location                    = azurerm_resource_group.main.location
  service_plan_id             = azurerm_service_plan.functions.id
  storage_container_type      = "blobContainer"
  storage_container_endpoint  = "${azurerm_storage_account.functions.primary_blob_endpoint}${azurerm_storage_container.deployments.name}"
  storage_authentication_type = "SystemAssignedIdentity"
  runtime_name                = "node"
  runtime_version             = "22"
  maximum_instance_count      = var.maximum_instance_count
  instance_memory_in_mb       = 2048
  https_only                  = true

  # One app hosts ingest and sync, so it gets the Azure contract, the other clouds' settings for sync, and every
  # secret as a Key Vault reference.
  app_settings = merge(
    var.pipeline_settings,
    var.aws_settings,
    var.gcp_settings,
    local.host_env,
    local.azure_env,
    local.secret_reference,
    # DynamoDB as the AWS role of federation.tf, Firestore through infra/gcp's provider: the app's own identity token.
    local.aws_web_identity_env,
    local.gcp_web_identity_env,
    # Reads are served by the read app (read.tf), with its own identity and a read-only key.
    { "AzureWebJobs.read.Disabled" = "true" },
  )

  site_config {
    minimum_tls_version                    = "1.2"
    application_insights_connection_string = azurerm_application_insights.main.connection_string
  }

  identity {
    type = "SystemAssigned"
  }
}

# The app's identity: the host's storage and the deployment container, and the secrets of the vault.
resource "azurerm_role_assignment" "app_storage" {
  scope                = azurerm_storage_account.functions.id
  role_definition_name = "Storage Blob Data Owner"
  principal_id         = azurerm_function_app_flex_consumption.main.identity[0].principal_id
}

resource "azurerm_role_assignment" "app_secrets" {
  scope                = azurerm_key_vault.main.id
  role_definition_name = "Key Vault Secrets User"
  principal_id         = azurerm_function_app_flex_consumption.main.identity[0].principal_id
}

# Publishes the package, again whenever the build changes it. Not the resource's zip_deploy_file: the provider
# posts it to /api/zipdeploy, which Flex Consumption does not serve (hashicorp/terraform-provider-azurerm#29630);
# the Azure CLI uses the publish endpoint Flex Consumption expects. Needs `az` logged in where Terraform runs.
resource "terraform_data" "publish" {
  triggers_replace = [filemd5(var.functionapp_zip), azurerm_function_app_flex_consumption.main.id]

  provisioner "local-exec" {
    command = "az functionapp deployment source config-zip --resource-group \"$RESOURCE_GROUP\" --name \"$APP\" --src \"$PACKAGE\""
    environment = {
      RESOURCE_GROUP = azurerm_resource_group.main.name
      APP            = azurerm_function_app_flex_consumption.main.name
      PACKAGE        = var.functionapp_zip
    }
  }

  depends_on = [azurerm_role_assignment.app_storage, azurerm_role_assignment.app_secrets]
}
