use std::io::BufRead;

use anyhow::Context;
use clap::{Args, Subcommand};
use kitap_app::{Actor, App, NewStaff, StaffQuery};
use kitap_domain::{StaffId, Timestamp};

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a staff account; prints the generated password unless --password-stdin.
    Add(AddArgs),
    /// Set a new password for an account (clears a lockout, ends its sessions).
    Passwd(PasswdArgs),
    /// List staff accounts.
    List,
}

#[derive(Debug, Args)]
pub struct AddArgs {
    pub username: String,
    /// admin, cataloger, librarian, exchange or manager.
    #[arg(long)]
    pub role: String,
    /// Code of the home library (e.g. C00, F07).
    #[arg(long)]
    pub home: String,
    /// The person's name as shown in the audit log (default: the username).
    #[arg(long)]
    pub name: Option<String>,
    /// Further library codes the account may act for (repeatable).
    #[arg(long = "library")]
    pub libraries: Vec<String>,
    /// May act for every library.
    #[arg(long)]
    pub all_libraries: bool,
    /// Read the password from the first line of standard input.
    #[arg(long)]
    pub password_stdin: bool,
}

#[derive(Debug, Args)]
pub struct PasswdArgs {
    pub username: String,
    /// Read the password from the first line of standard input.
    #[arg(long)]
    pub password_stdin: bool,
}

pub fn run(app: &App, command: UserCommand) -> anyhow::Result<()> {
    let actor = Actor::system("cli");
    match command {
        UserCommand::Add(args) => {
            let password = args.password_stdin.then(read_password).transpose()?;
            let new = NewStaff {
                display_name: args.name.unwrap_or_else(|| args.username.clone()),
                username: args.username,
                role: args.role,
                home_library: args.home,
                libraries: args.libraries,
                all_libraries: args.all_libraries,
                password,
            };
            let (account, generated) = app.create_staff_as_operator(&actor, new)?;
            println!(
                "created {} ({}) id {}",
                account.username, account.role, account.id
            );
            if let Some(password) = generated {
                println!("password: {password}  (shown once)");
            }
        }
        UserCommand::Passwd(args) => {
            let account = app.staff_by_username(&args.username)?;
            let password = args.password_stdin.then(read_password).transpose()?;
            let generated = app.reset_staff_password(None, &actor, account.id, password)?;
            println!("password of {} changed", account.username);
            if let Some(password) = generated {
                println!("password: {password}  (shown once)");
            }
        }
        UserCommand::List => list(app)?,
    }
    Ok(())
}

fn list(app: &App) -> anyhow::Result<()> {
    let codes: std::collections::HashMap<_, _> = app
        .list_branches(true)?
        .into_iter()
        .map(|b| (b.id, b.code.to_string()))
        .collect();
    let mut after: Option<StaffId> = None;
    let now = Timestamp::now();
    println!(
        "{:<24} {:<10} {:<6} {:<8} name",
        "username", "role", "home", "state"
    );
    loop {
        let page = app.list_staff(
            None,
            StaffQuery {
                after,
                limit: 500,
                ..Default::default()
            },
        )?;
        for account in &page {
            let home = codes
                .get(&account.home_branch_id)
                .map(String::as_str)
                .unwrap_or("?");
            let state = if !account.active {
                "inactive"
            } else if account.locked_until.is_some_and(|until| until > now) {
                "locked"
            } else {
                "active"
            };
            println!(
                "{:<24} {:<10} {:<6} {:<8} {}",
                account.username, account.role, home, state, account.display_name
            );
        }
        match page.last() {
            Some(last) if page.len() == 500 => after = Some(last.id),
            _ => return Ok(()),
        }
    }
}

fn read_password() -> anyhow::Result<String> {
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .context("reading the password from standard input")?;
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}
