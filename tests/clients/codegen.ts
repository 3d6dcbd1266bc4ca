import type { CodegenConfig } from "@graphql-codegen/cli";

// Typed operations for the client checks, from the repository's exported schema and the
// documents in operations/. `npm run codegen` writes src/__generated__/ (not committed).
const scalars = { DateTime: "string", JSON: "unknown" };

const config: CodegenConfig = {
  schema: "../../schema.graphql",
  documents: ["operations/**/*.graphql"],
  emitLegacyCommonJSImports: false,
  generates: {
    // Every schema type (enums, inputs, objects).
    "src/__generated__/schema.ts": {
      plugins: ["typescript"],
      config: { strictScalars: true, scalars, enumsAsTypes: true, useTypeImports: true },
    },
    // Result and variables types of each operation and fragment, plus typed DocumentNodes.
    "src/__generated__/graphql.ts": {
      plugins: ["typescript-operations", "typed-document-node"],
      config: {
        importSchemaTypesFrom: "./src/__generated__/schema.ts",
        strictScalars: true,
        scalars,
        enumsAsTypes: true,
        useTypeImports: true,
        nonOptionalTypename: true,
        avoidOptionals: { field: true, object: true, inputValue: false, defaultValue: false },
      },
    },
    // possibleTypes for InMemoryCache: Node is an interface.
    "src/__generated__/possibleTypes.ts": {
      plugins: ["fragment-matcher"],
      config: { useExplicitTyping: true },
    },
  },
};

export default config;
