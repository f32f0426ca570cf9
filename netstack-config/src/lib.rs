//! netstack-config: the option schema, resolver, validator and code generator.
