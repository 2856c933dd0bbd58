//! `themechat-server`: configuration from the environment, then run.

use server::config::Settings;
use server::startup::Application;

#[actix_web::main]
async fn main() -> std::process::ExitCode {
    server::telemetry::init("info");
    let settings = match Settings::load() {
        Ok(settings) => settings,
        Err(e) => {
            eprintln!("themechat-server: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    let app = match Application::build(settings).await {
        Ok(app) => app,
        Err(e) => {
            eprintln!("themechat-server: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    println!("ThemeChat listening on http://{}", app.address());
    match app.run_until_stopped().await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("themechat-server: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
