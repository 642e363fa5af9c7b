# The read function (functions/azure/read.ts) is an HTTP trigger in the same app, route `windows`, with
# authLevel 'function': a request needs a function key (the x-functions-key header). Readers get the app's
# default function key below; rotate it in the portal or with `az functionapp keys set`, and put Entra ID (App
# Service authentication) in front where users sign in.

data "azurerm_function_app_host_keys" "main" {
  name                = azurerm_function_app_flex_consumption.main.name
  resource_group_name = azurerm_resource_group.main.name

  depends_on = [terraform_data.publish]
}

output "TRICLOUD_READ_URL_AZURE" {
  value = "https://${azurerm_function_app_flex_consumption.main.default_hostname}/api/windows"
}

output "TRICLOUD_READ_KEY_AZURE" {
  description = "A function key for the read function (x-functions-key); it calls no other function of the app over HTTP."
  value       = data.azurerm_function_app_host_keys.main.default_function_key
  sensitive   = true
}
