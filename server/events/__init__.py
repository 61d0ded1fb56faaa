"""Events and their agenda: schemas, operations, JSON API and public pages."""
