//! First-start data: the 21 libraries, the first administrator, demo staff.

use kitap_db::branches::{self, Branch};
use kitap_db::{staff, DbError};
use kitap_domain::{BranchCode, BranchId, BranchName, Timestamp};
use serde::Deserialize;

use crate::{Actor, App, AppError, NewStaff};

/// The libraries of the Karaganda city system, kept in the repository.
const BRANCHES_TOML: &str = include_str!("../../../data/branches.toml");

/// The password of every demo account made by `kitap serve --demo`. Demo
/// databases live in their own folder and are for trying Kitap out only.
pub const DEMO_PASSWORD: &str = "kitap-demo-2026";

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SeedFile {
    branch: Vec<SeedBranch>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SeedBranch {
    code: String,
    kind: String,
    name_kk: String,
    name_ru: String,
    #[serde(default)]
    address: String,
    #[serde(default)]
    phone: Option<String>,
}

/// What start-up seeding did, for the console.
#[derive(Debug, Default)]
pub struct SeedReport {
    pub branches_added: usize,
    /// Set when the first administrator was created: its username and, if
    /// the password was generated, the password (shown once, never stored).
    pub admin_created: Option<(String, Option<String>)>,
    pub demo_accounts: Vec<(String, String)>,
    /// Set when the demo catalog was loaded.
    pub demo_catalog: Option<crate::catalog::DemoReport>,
}

impl App {
    /// Inserts every library of the seed file whose code is missing. Existing
    /// libraries are never overwritten: renames made through the API stay.
    pub fn seed_branches(&self) -> Result<usize, AppError> {
        let file: SeedFile = toml::from_str(BRANCHES_TOML)
            .map_err(|err| AppError::Internal(format!("data/branches.toml: {err}")))?;
        self.db.write(|conn| {
            let mut added = 0;
            for seed in &file.branch {
                let code: BranchCode = seed.code.parse()?;
                match branches::find_by_code(conn, &code) {
                    Ok(_) => continue,
                    Err(DbError::NotFound) => {}
                    Err(other) => return Err(other.into()),
                }
                branches::insert(conn, &seed_branch(seed, code)?)?;
                added += 1;
            }
            Ok::<_, AppError>(added)
        })
    }

    /// Creates `admin` at the central library when there is no account at all.
    pub fn ensure_admin(
        &self,
        password: Option<String>,
    ) -> Result<Option<(String, Option<String>)>, AppError> {
        if self.db.read(staff::count)? > 0 {
            return Ok(None);
        }
        let central = self.central_code()?;
        let new = NewStaff {
            username: "admin".to_owned(),
            display_name: "Administrator".to_owned(),
            role: "admin".to_owned(),
            home_library: central,
            libraries: Vec::new(),
            all_libraries: true,
            password,
        };
        let (account, generated) =
            self.create_staff_as_operator(&Actor::system("kitap serve"), new)?;
        Ok(Some((account.username.to_string(), generated)))
    }

    /// One account per role for trying Kitap out, all with [`DEMO_PASSWORD`].
    /// The librarian works at branch F01 only; the others system-wide.
    pub fn seed_demo_staff(&self) -> Result<Vec<(String, String)>, AppError> {
        let central = self.central_code()?;
        let accounts = [
            (
                "cataloger",
                "Demo cataloger",
                "cataloger",
                central.as_str(),
                true,
            ),
            (
                "librarian",
                "Demo desk librarian",
                "librarian",
                "F01",
                false,
            ),
            (
                "exchange",
                "Demo unified-fund officer",
                "exchange",
                central.as_str(),
                true,
            ),
            ("manager", "Demo manager", "manager", central.as_str(), true),
        ];
        let mut made = Vec::new();
        for (username, name, role, home, all) in accounts {
            let parsed = username.parse()?;
            if self
                .db
                .read(|conn| staff::find_credentials(conn, &parsed))?
                .is_some()
            {
                continue;
            }
            let new = NewStaff {
                username: username.to_owned(),
                display_name: name.to_owned(),
                role: role.to_owned(),
                home_library: home.to_owned(),
                libraries: Vec::new(),
                all_libraries: all,
                password: Some(DEMO_PASSWORD.to_owned()),
            };
            self.create_staff_as_operator(&Actor::system("kitap serve --demo"), new)?;
            made.push((username.to_owned(), role.to_owned()));
        }
        Ok(made)
    }

    /// Everything `kitap serve` does to an empty database before it listens.
    pub fn seed(&self, admin_password: Option<String>, demo: bool) -> Result<SeedReport, AppError> {
        let branches_added = self.seed_branches()?;
        let admin_created = self.ensure_admin(admin_password)?;
        let (demo_accounts, demo_catalog) = if demo {
            (self.seed_demo_staff()?, self.seed_demo_catalog()?)
        } else {
            (Vec::new(), None)
        };
        Ok(SeedReport {
            branches_added,
            admin_created,
            demo_accounts,
            demo_catalog,
        })
    }

    fn central_code(&self) -> Result<String, AppError> {
        let all = self.db.read(branches::list)?;
        all.into_iter()
            .find(|b| b.kind == kitap_domain::BranchKind::Central)
            .map(|b| b.code.to_string())
            .ok_or_else(|| {
                AppError::Internal("no central library; seed the libraries first".to_owned())
            })
    }
}

fn seed_branch(seed: &SeedBranch, code: BranchCode) -> Result<Branch, AppError> {
    let now = Timestamp::now();
    Ok(Branch {
        id: BranchId::new(),
        code,
        name_kk: BranchName::parse("name_kk", &seed.name_kk)?.into_string(),
        name_ru: BranchName::parse("name_ru", &seed.name_ru)?.into_string(),
        kind: seed.kind.parse()?,
        address: seed.address.clone(),
        phone: seed.phone.clone(),
        active: true,
        created_at: now,
        updated_at: now,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seed_file_holds_one_central_library_and_twenty_branches() {
        let file: SeedFile = toml::from_str(BRANCHES_TOML).unwrap();
        assert_eq!(file.branch.len(), 21);
        let central: Vec<_> = file.branch.iter().filter(|b| b.kind == "central").collect();
        assert_eq!(central.len(), 1);
        assert_eq!(
            central[0].name_kk,
            "М.О. Әуезов атындағы Орталық қалалық кітапхана"
        );
        for seed in &file.branch {
            let code: BranchCode = seed.code.parse().unwrap();
            seed_branch(seed, code).unwrap();
        }
    }
}
