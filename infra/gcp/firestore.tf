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

# Sync's change query: `where updatedAt >= t orderBy updatedAt, __name__` (shared/clouds/gcp/firestore-store.ts).
# One field ordered ascending, then the document name ascending, is served by the single-field ascending index of
# updatedAt; Firestore refuses a composite index of one field plus __name__ as unnecessary. Declaring the field's
# index keeps it from being exempted by a later project-wide setting.
resource "google_firestore_field" "aggregates_updated_at" {
  database   = google_firestore_database.default.name
  collection = var.aggregates_collection
  field      = "updatedAt"

  index_config {
    indexes {
      order       = "ASCENDING"
      query_scope = "COLLECTION"
    }
  }
}
