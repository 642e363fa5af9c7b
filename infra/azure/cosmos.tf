# The Cosmos DB account (serverless, continuous backup = point-in-time restore, TLS 1.2; encrypted at rest by
# Azure), the database and its three containers, each partitioned by /id (see scripts/local-stack/provision-azure.ts
# for why). Sync lists slices ordered by (updatedAt, id) and readers list a series' windows by start: composite
# indexes serve both, declared here as the local stack declares them.

resource "azurerm_cosmosdb_account" "main" {
  name                = "${var.prefix}-${random_id.suffix.hex}"
  resource_group_name = azurerm_resource_group.main.name
  location            = azurerm_resource_group.main.location
  offer_type          = "Standard"
  kind                = "GlobalDocumentDB"
  minimal_tls_version = "Tls12"

  capabilities {
    name = "EnableServerless"
  }

  consistency_policy {
    consistency_level = "Session"
  }

  geo_location {
    location          = azurerm_resource_group.main.location
    failover_priority = 0
  }

  backup {
    type = "Continuous"
    tier = "Continuous7Days"
  }
}

resource "azurerm_cosmosdb_sql_database" "main" {
  name                = var.cosmos_database
  resource_group_name = azurerm_resource_group.main.name
  account_name        = azurerm_cosmosdb_account.main.name
}

resource "azurerm_cosmosdb_sql_container" "aggregates" {
  name                  = var.aggregates_container
  resource_group_name   = azurerm_resource_group.main.name
  account_name          = azurerm_cosmosdb_account.main.name
  database_name         = azurerm_cosmosdb_sql_database.main.name
  partition_key_paths   = ["/id"]
  partition_key_version = 2

  indexing_policy {
    indexing_mode = "consistent"

    included_path {
      path = "/*"
    }

    composite_index {
      index {
        path  = "/updatedAt"
        order = "Ascending"
      }

      index {
        path  = "/id"
        order = "Ascending"
      }
    }

    # Readers: one series' windows of one size (seriesWindow = 'series|window') ordered by start.
    composite_index {
      index {
        path  = "/seriesWindow"
        order = "Ascending"
      }

      index {
        path  = "/start"
        order = "Ascending"
      }
    }
  }
}

resource "azurerm_cosmosdb_sql_container" "dead_letters" {
  name                  = var.dead_letters_container
  resource_group_name   = azurerm_resource_group.main.name
  account_name          = azurerm_cosmosdb_account.main.name
  database_name         = azurerm_cosmosdb_sql_database.main.name
  partition_key_paths   = ["/id"]
  partition_key_version = 2
}

resource "azurerm_cosmosdb_sql_container" "sync_state" {
  name                  = var.sync_state_container
  resource_group_name   = azurerm_resource_group.main.name
  account_name          = azurerm_cosmosdb_account.main.name
  database_name         = azurerm_cosmosdb_sql_database.main.name
  partition_key_paths   = ["/id"]
  partition_key_version = 2
}
