//! Route registration. Every route is a `.service(...)` so utoipa-actix-web
//! collects it into the OpenAPI document, and the same document feeds
//! [`KnownRoutes`], which tells 404 from 405 in the fallback.

use actix_web::dev::ResourceDef;
use actix_web::web;
use kitap_app::{App, AppError};
use utoipa::openapi::OpenApi;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::error::ApiError;
use crate::state::ApiState;

mod acts;
mod acts_dto;
mod amnesty;
mod area_rules;
mod audit;
mod branches;
mod copies;
mod debtors;
mod dedup;
mod desk;
mod exchange;
mod exchange_acts;
mod exchange_reports;
mod exchange_selections;
mod exports;
mod holds;
mod imports;
mod loan_rules;
mod lost;
mod merges;
mod notices;
mod offline;
mod opac;
mod opac_dto;
mod readers;
mod readers_dto;
mod record_sources;
mod records;
pub(crate) mod records_dto;
mod reports;
mod search;
mod session;
pub(crate) mod sru;
mod staff;
pub mod system;

pub fn api_v1(cfg: &mut ServiceConfig<'_>) {
    cfg.service(session::login)
        .service(session::logout)
        .service(session::me)
        .service(session::change_password)
        .service(branches::list)
        .service(branches::get)
        .service(branches::create)
        .service(branches::update)
        .service(branches::remove)
        .service(staff::list)
        .service(staff::create)
        .service(staff::get)
        .service(staff::update)
        .service(staff::reset_password)
        .service(staff::unlock)
        .service(audit::list)
        .service(search::search)
        .service(search::status)
        .service(records::validate)
        .service(records::create)
        .service(records::list)
        .service(records::get)
        .service(records::update)
        .service(records::remove)
        .service(records::converted)
        .service(dedup::record_duplicates)
        .service(dedup::start_scan)
        .service(dedup::list_scans)
        .service(dedup::get_scan)
        .service(dedup::report)
        .service(dedup::clusters)
        .service(dedup::decide)
        .service(dedup::get_pair)
        .service(dedup::list_pairs)
        .service(record_sources::list)
        .service(record_sources::get)
        .service(merges::merge)
        .service(merges::undo)
        .service(merges::list)
        .service(merges::get)
        .service(imports::upload)
        .service(imports::list)
        .service(imports::get)
        .service(imports::cancel)
        .service(imports::rejects)
        .service(imports::duplicates)
        .service(exports::records)
        .service(copies::list_for_record)
        .service(copies::add)
        .service(copies::list)
        .service(copies::by_barcode)
        .service(copies::get)
        .service(copies::update)
        .service(acts::create_accession)
        .service(acts::list_accession)
        .service(acts::get_accession)
        .service(acts::export_accession)
        .service(acts::create_write_off)
        .service(acts::list_write_off)
        .service(acts::get_write_off)
        .service(acts::export_write_off)
        .service(readers::register)
        .service(readers::list)
        .service(readers::by_card)
        .service(readers::get)
        .service(readers::update)
        .service(readers::reregister)
        .service(readers::loans)
        .service(readers::blocks)
        .service(readers::block)
        .service(readers::lift)
        .service(loan_rules::list_rules)
        .service(loan_rules::create_rule)
        .service(loan_rules::update_rule)
        .service(loan_rules::remove_rule)
        .service(loan_rules::explain)
        .service(loan_rules::list_closed)
        .service(loan_rules::create_closed)
        .service(loan_rules::remove_closed)
        .service(desk::checkout)
        .service(desk::renew)
        .service(desk::renew_by_barcode)
        .service(desk::return_copy)
        .service(offline::upload)
        .service(offline::list)
        .service(offline::get)
        .service(holds::place)
        .service(holds::list)
        .service(holds::shelf)
        .service(holds::cancel)
        .service(holds::expire)
        .service(exchange::dispatch)
        .service(exchange::receive)
        .service(exchange::cancel)
        .service(exchange::list)
        .service(exchange::get)
        .service(exchange::pick_list)
        .service(exchange::position)
        .service(exchange::distances)
        .service(exchange::set_distances)
        .service(exchange_acts::create)
        .service(exchange_acts::list)
        .service(exchange_acts::get)
        .service(exchange_acts::export)
        .service(exchange_reports::candidates)
        .service(exchange_reports::stats)
        // Before /reports/{kind}, which would take "area-rules" or
        // "annual" for a kind.
        .service(area_rules::get_rules)
        .service(area_rules::reclassify)
        .service(reports::annual)
        .service(reports::annual_chart)
        .service(reports::report)
        .service(reports::create_attendance)
        .service(reports::list_attendance)
        .service(exchange_selections::run_reminders)
        .service(exchange_selections::reminders)
        .service(exchange_selections::ack_reminder)
        .service(exchange_selections::create)
        .service(exchange_selections::list)
        .service(exchange_selections::get)
        .service(exchange_selections::add_copies)
        .service(exchange_selections::remove_copy)
        .service(exchange_selections::cancel)
        .service(exchange_selections::dispatch)
        .service(exchange_selections::receive)
        .service(exchange_selections::return_unit)
        .service(exchange_selections::receive_home)
        .service(exchange_selections::report)
        .service(exchange_selections::create_request)
        .service(exchange_selections::list_requests)
        .service(exchange_selections::get_request)
        .service(exchange_selections::answer_request)
        .service(exchange_selections::cancel_request)
        .service(debtors::list)
        .service(debtors::refresh)
        .service(lost::mark_lost)
        .service(lost::replace)
        .service(lost::waive_fine)
        .service(amnesty::create)
        .service(amnesty::list)
        .service(amnesty::get)
        .service(amnesty::report);
    cfg.service(notices::list)
        .service(notices::calls)
        .service(notices::done)
        .service(notices::run_now);
    cfg.service(opac::login)
        .service(opac::logout)
        .service(opac::me)
        .service(opac::change_pin)
        .service(opac::loans)
        .service(opac::renew)
        .service(opac::history)
        .service(opac::holds)
        .service(opac::place_hold)
        .service(opac::cancel_hold);
}

/// Runs a use case on actix's blocking pool (diesel is synchronous; actix
/// workers are single-threaded and must never block).
pub async fn run<T, F>(state: &web::Data<ApiState>, work: F) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: FnOnce(&App) -> Result<T, AppError> + Send + 'static,
{
    let app = state.app.clone();
    Ok(web::block(move || work(&app)).await??)
}

/// The paths and methods the API serves, from the OpenAPI document.
pub struct KnownRoutes(Vec<(ResourceDef, Vec<String>)>);

impl KnownRoutes {
    pub fn from_openapi(doc: &OpenApi) -> Self {
        let routes = doc
            .paths
            .paths
            .iter()
            .map(|(path, item)| {
                let mut methods: Vec<String> = Vec::new();
                let ops = [
                    ("GET", item.get.is_some()),
                    ("POST", item.post.is_some()),
                    ("PUT", item.put.is_some()),
                    ("PATCH", item.patch.is_some()),
                    ("DELETE", item.delete.is_some()),
                ];
                for (name, present) in ops {
                    if present {
                        methods.push(name.to_owned());
                    }
                }
                (ResourceDef::new(path.as_str()), methods)
            })
            .collect();
        KnownRoutes(routes)
    }

    pub fn methods_for(&self, path: &str) -> Option<Vec<String>> {
        self.0
            .iter()
            .find(|(def, _)| def.is_match(path))
            .map(|(_, methods)| methods.clone())
    }
}
