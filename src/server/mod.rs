//! The central server's HTTP API (issue 19): bundles in from sites, the fleet views out,
//! behind tokens, over TLS.
