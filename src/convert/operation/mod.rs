//! The facade the server calls, one operation at a time: a [`ServicePlan`] per mapping, built
//! once (`plan`), with an [`OperationPlan`] per route. [`ServicePlan::build_request`] gathers
//! the inputs (`gather`) and writes the envelope (`request`); [`ServicePlan::read_answer`]
//! turns an answer into JSON or a fault (`answer`), checked against the schema when the mapping
//! asks (`check`). The legacy service's side, for the mock and the tests (answers written,
//! requests read back), is `service_side`.

mod answer;
mod check;
mod gather;
mod plan;
mod request;
mod service_side;

pub use answer::{Answer, Outcome};
pub use gather::{Gathered, HeaderValues, gather, gather_all};
pub use plan::{BodyLayout, FaultDecl, OperationPlan, PartIo, ServicePlan};
pub use request::Outgoing;
