/** API docs of config export and import (src/routes/config.ts; docs/config.md). */
import { configDocument } from "../../config/document.ts";
import { operations } from "../../openapi/operation.ts";
import { exportQuery, importQuery } from "../config.ts";
import { configImport } from "./views.ts";

const YAML = ["application/yaml", "text/yaml"];

export const configOperations = operations({ tag: "Config", access: "admin" }, [
  {
    method: "get",
    path: "/api/config/export",
    operationId: "exportConfig",
    summary: "Export the run-time configuration as one document, in JSON or YAML",
    description: "Every section of docs/config.md (stored providers, the routing document, rules, …), never a secret: a credential is written `${NAME}` (a Worker secret) or `(sealed)` (a key stored here, which an import into this gateway keeps). `format=yaml` answers YAML (application/yaml) with a header comment; the document is what POST /api/config/import takes.",
    query: exportQuery,
    response: { status: 200, description: "The config document, in JSON or (format=yaml) YAML", schema: configDocument, name: "ConfigDocument", side: "input", mediaTypes: ["application/yaml"] },
  },
  {
    method: "post",
    path: "/api/config/import",
    operationId: "importConfig",
    summary: "Import a config document, all at once, or report what it would change",
    description: "The body is JSON, or YAML with content-type application/yaml or text/yaml. `mode=merge` creates and updates what the document names; `mode=replace` also deletes what it does not name, in each section it has. A section left out is left alone. The whole document is checked first, then every change is made in one D1 batch; `dry_run=true` only reports the changes.",
    query: importQuery,
    body: configDocument,
    bodyName: "ConfigDocument",
    bodyMediaTypes: YAML,
    response: { status: 200, description: "Each change, made or (dry_run=true) that would be made", schema: configImport, name: "ConfigImportReport" },
    errors: {
      400: "The YAML does not parse (`invalid_yaml`), or the document cannot apply: a bad value, a refused base URL or unset secret, a name given twice, a `(sealed)` key with nothing stored (`sealed_key_missing`); the error names its path (`providers.1.base_url`).",
      409: "A provider name is taken by a user's own key (`provider_exists`).",
    },
  },
]);
