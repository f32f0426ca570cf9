//! netstack-lab: the interop lab used by tests (namespaces, TAP, Linux peers, tshark).
