"""The database layer: settings, opening and locking, publishing, the model build, the pseudonym
key and the load outcomes. The loader (pipelines), the query layer and the app all use it; it
uses none of them."""
