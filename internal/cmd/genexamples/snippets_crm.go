package main

// crmSnippets call the crm client for each operation of openapi/crm.yaml.
var crmSnippets = map[string]snippet{}
