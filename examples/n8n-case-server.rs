//! The fixed-answer HTTP server the recorded HTTP Request cases (`tests/n8n`) call, on a fixed
//! port, for recording them on real n8n: `cargo run --example n8n-case-server -- 5790`.

#[path = "../tests/api/case_server.rs"]
mod case_server;

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let port = std::env::args()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .unwrap_or(5790);
    println!("case server on {}", case_server::start(port).await);
    std::future::pending::<()>().await;
}
