use kitap_app::App;

/// What every handler can reach: the use cases. Metrics and the route table
/// are separate `web::Data` so middleware can reach them without this.
pub struct ApiState {
    pub app: App,
}
