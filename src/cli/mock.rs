//! `soapbridge mock`: a stand-in for the legacy service of a WSDL (or of the port a mapping
//! serves), answering samples, recorded answers or forced faults until Ctrl-C.

use std::path::PathBuf;

use super::files::service_for;
use crate::mock::Mock;

/// `mock` options.
#[derive(Debug, clap::Args)]
pub struct MockArgs {
    /// The WSDL (or a mapping file, to mock exactly the port it serves).
    pub source: PathBuf,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:9090")]
    pub listen: String,
    /// Folder of recorded answers, `<Operation>.xml`, served instead of samples.
    #[arg(long)]
    pub responses: Option<PathBuf>,
    /// Always answer an operation with one of its faults: `Operation=FaultName`.
    #[arg(long = "fault")]
    pub faults: Vec<String>,
}

pub(super) fn run(args: MockArgs) -> anyhow::Result<bool> {
    let service = service_for(&args.source)?;
    let mut mock = Mock::new(service);
    mock.responses = args.responses;
    for f in args.faults {
        let (op, fault) = f
            .split_once('=')
            .ok_or_else(|| anyhow::anyhow!("--fault takes Operation=FaultName, got `{f}`"))?;
        mock.forced_faults.insert(op.to_string(), fault.to_string());
    }
    let (source, listen) = (args.source, args.listen);
    actix_web::rt::System::new().block_on(async move {
        let (server, addr) = crate::http::start_mock(mock, &listen)?;
        eprintln!("mock of {} listening on http://{addr}/", source.display());
        let handle = server.handle();
        actix_web::rt::spawn(async move {
            let _ = tokio::signal::ctrl_c().await;
            handle.stop(true).await;
        });
        server.await?;
        anyhow::Ok(())
    })?;
    Ok(true)
}
