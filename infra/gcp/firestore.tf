# The (default) Firestore database the SDK addresses, with point-in-time recovery; Google encrypts it at rest.

resource "google_firestore_database" "default" {
  name                              = "(default)"
  location_id                       = var.firestore_location
  type                              = "FIRESTORE_NATIVE"
  point_in_time_recovery_enablement = "POINT_IN_TIME_RECOVERY_ENABLED"
  delete_protection_state           = var.deletion_protection ? "DELETE_PROTECTION_ENABLED" : "DELETE_PROTECTION_DISABLED"
  deletion_policy                   = "DELETE"

  depends_on = [google_project_service.apis]
}

# Sync's change query: `where kind == 'slice' orderBy updatedAt, __name__` (shared/clouds/gcp/firestore-store.ts):
# an equality filter and an order on another field need a composite index.
resource "google_firestore_index" "slice_changes" {
  database   = google_firestore_database.default.name
  collection = var.aggregates_collection

  fields {
    field_path = "kind"
    order      = "ASCENDING"
  }

  fields {
    field_path = "updatedAt"
    order      = "ASCENDING"
  }

  fields {
    field_path = "__name__"
    order      = "ASCENDING"
  }
}

# Readers: `where seriesWindow == 'series|window' and start in [from, to) orderBy start` — one series' windows of
# one size over a time range, read at the cost of the windows returned.
resource "google_firestore_index" "windows_by_start" {
  database   = google_firestore_database.default.name
  collection = var.aggregates_collection

  fields {
    field_path = "seriesWindow"
    order      = "ASCENDING"
  }

  fields {
    field_path = "start"
    order      = "ASCENDING"
  }
}
