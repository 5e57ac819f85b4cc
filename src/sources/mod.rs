//! Reading an integrator's WSDL/XSD files: the entry document and everything it imports or
//! includes, resolved offline, relative to the importing document, inside the WSDL's folder tree.
//!
//! This is the first stage of loading. It reads and checks every file once (well-formedness,
//! reachability, safety) and keeps the texts; the later stages parse them again into
//! `roxmltree` documents that borrow from here.
//!
//! - `collector`: [`collect`], reading one document after another (each once) and checking each;
//! - `encoding`: a file's bytes as text (UTF-8; in lenient mode, the encoding it declares);
//! - `references`: following a document's imports and includes to the files they name;
//! - `policy`: where files may be read from ([`LoadOptions`]: the entry's folder tree, allowed
//!   folders, the catalog's local copies of URLs) and how locations resolve;
//! - `remote`: for `soapbridge fetch`, the offline parts of downloading a WSDL (what a
//!   document references, local file names, the catalog);
//! - `set`: the files read ([`SourceSet`]), parsed again by [`parse_all`];
//! - `builtin`: the core schemas soapbridge knows without a file (always present);
//! - `standard`: the standard schemas WSDLs import by URL (W3C, WS-Addressing, OASIS), present
//!   when imported.

mod builtin;
mod collector;
mod encoding;
mod policy;
mod references;
pub mod remote;
mod set;
mod standard;

pub use collector::{MAX_DEPTH, MAX_FILES, collect};
pub use policy::{DEFAULT_MAX_DOCUMENT_BYTES, LoadOptions};
pub use set::{SourceFile, SourceSet, at, parse_all};
