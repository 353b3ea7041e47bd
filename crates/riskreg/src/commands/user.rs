//! `riskreg user …`: users, their roles and register memberships, passwords and API
//! tokens, from the command line. This is how the first administrator is created; every
//! change is an audited event whose actor is `--actor` (the OS user by default).

use std::io::Read as _;
use std::process::ExitCode;

use anyhow::{Context, bail};
use chrono::{Duration, Utc};
use clap::{Args, Subcommand};
use riskreg_domain::RegisterCode;
use riskreg_store::users::{Role, TokenFields, User, UserFields, UserName};
use riskreg_web::auth::{password, secret};
use serde::Serialize;

use super::{Session, print};
use crate::cli::ShowFormat;
use crate::output;

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Add a user. Without --password-stdin a random password is made and printed once.
    Add {
        name: String,
        /// admin, secretariat, member or viewer.
        #[arg(long, value_parser = parse_role)]
        role: Role,
        /// Read the password from standard input (one line).
        #[arg(long)]
        password_stdin: bool,
        /// A register the user is a member of (repeat for several).
        #[arg(long = "register")]
        registers: Vec<String>,
    },
    /// List users.
    List {
        #[arg(long, value_enum, default_value_t = ShowFormat::Table)]
        format: ShowFormat,
    },
    /// Disable an account: its sessions end and its tokens stop working.
    Disable { name: String },
    /// Enable a disabled account.
    Enable { name: String },
    /// Change a user's role.
    Role {
        name: String,
        #[arg(value_parser = parse_role)]
        role: Role,
    },
    /// Make a user a member of a register (needed to read a confidential one).
    Grant {
        name: String,
        #[arg(long)]
        register: String,
    },
    /// End a user's membership of a register.
    Revoke {
        name: String,
        #[arg(long)]
        register: String,
    },
    /// Set a user's password (ends their sessions). Random and printed once without
    /// --password-stdin.
    Password {
        name: String,
        #[arg(long)]
        password_stdin: bool,
    },
    /// API tokens: create, list, revoke.
    #[command(subcommand)]
    Token(TokenCommand),
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create a token for a user and print its secret (shown once).
    Create(TokenCreateArgs),
    /// List tokens (never their secrets).
    List {
        /// Only this user's.
        name: Option<String>,
        #[arg(long, value_enum, default_value_t = ShowFormat::Table)]
        format: ShowFormat,
    },
    /// Revoke a token by its id.
    Revoke { id: String },
}

#[derive(Debug, Args)]
pub struct TokenCreateArgs {
    /// The user the token acts for.
    pub name: String,
    /// What the token is for.
    #[arg(long)]
    pub label: String,
    /// The most the token may do (default: the user's role); never more than the user's role.
    #[arg(long, value_parser = parse_role)]
    pub role: Option<Role>,
    /// Days until the token stops working; without it, until revoked.
    #[arg(long)]
    pub expires_in_days: Option<u32>,
}

fn parse_role(value: &str) -> Result<Role, String> {
    Role::parse(value).map_err(|e| e.rule)
}

fn user_name(value: &str) -> anyhow::Result<UserName> {
    Ok(UserName::parse(value)?)
}

async fn existing(s: &Session, name: &UserName) -> anyhow::Result<User> {
    s.store
        .user(name)
        .await?
        .ok_or_else(|| riskreg_store::StoreError::NotFound(format!("user {name}")).into())
}

/// The new password: one line of standard input, or a random one to print.
fn new_password(from_stdin: bool) -> anyhow::Result<(String, bool)> {
    if from_stdin {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .context("reading the password from standard input")?;
        let pass = text.lines().next().unwrap_or("").to_owned();
        password::check_new("password", &pass)?;
        Ok((pass, false))
    } else {
        Ok((secret::random_hex(12)?, true))
    }
}

async fn amend(s: &Session, name: &str, change: impl FnOnce(&mut UserFields)) -> anyhow::Result<User> {
    let name = user_name(name)?;
    let current = existing(s, &name).await?;
    let mut fields = current.fields.clone();
    change(&mut fields);
    Ok(s.store
        .amend_user(&name, Some(current.revision.version), fields, s.ctx())
        .await?)
}

#[derive(Serialize)]
struct UserRow<'a> {
    name: &'a str,
    role: Role,
    disabled: bool,
    registers: Vec<String>,
    version: u32,
}

fn users_text(users: &[User], format: ShowFormat) -> anyhow::Result<String> {
    let rows: Vec<UserRow> = users
        .iter()
        .map(|u| UserRow {
            name: u.name.as_str(),
            role: u.fields.role,
            disabled: u.fields.disabled,
            registers: u.fields.registers.iter().map(ToString::to_string).collect(),
            version: u.revision.version,
        })
        .collect();
    if format == ShowFormat::Json {
        return output::json(&rows);
    }
    let mut out = String::new();
    for r in rows {
        out.push_str(&format!(
            "{:<24} {:<12} {:<9} {}\n",
            r.name,
            r.role.as_str(),
            if r.disabled { "disabled" } else { "active" },
            r.registers.join(",")
        ));
    }
    Ok(out)
}

pub async fn run(s: &Session, command: UserCommand) -> anyhow::Result<ExitCode> {
    match command {
        UserCommand::Add {
            name,
            role,
            password_stdin,
            registers,
        } => {
            let name = user_name(&name)?;
            let registers = registers
                .iter()
                .map(|c| RegisterCode::parse(c))
                .collect::<Result<Vec<_>, _>>()?;
            let (pass, generated) = new_password(password_stdin)?;
            let hash = password::hash(pass.clone()).await?;
            let fields = UserFields {
                role,
                disabled: false,
                registers,
            };
            let user = s.store.create_user(name, fields, Some(&hash), s.ctx()).await?;
            if generated {
                print(&format!(
                    "added {} ({role}); password (shown once): {pass}\n",
                    user.name
                ))
            } else {
                print(&format!("added {} ({role})\n", user.name))
            }
        }
        UserCommand::List { format } => print(&users_text(&s.store.users().await?, format)?),
        UserCommand::Disable { name } => {
            let u = amend(s, &name, |f| f.disabled = true).await?;
            print(&format!(
                "disabled {}: its sessions ended and its tokens no longer work\n",
                u.name
            ))
        }
        UserCommand::Enable { name } => {
            let u = amend(s, &name, |f| f.disabled = false).await?;
            print(&format!("enabled {}\n", u.name))
        }
        UserCommand::Role { name, role } => {
            let u = amend(s, &name, |f| f.role = role).await?;
            print(&format!("{} is now {role}\n", u.name))
        }
        UserCommand::Grant { name, register } => {
            let code = RegisterCode::parse(&register)?;
            s.store.register(&code, None).await?;
            let u = amend(s, &name, |f| f.registers.push(code.clone())).await?;
            print(&format!("{} is a member of {code}\n", u.name))
        }
        UserCommand::Revoke { name, register } => {
            let code = RegisterCode::parse(&register)?;
            let u = amend(s, &name, |f| f.registers.retain(|c| *c != code)).await?;
            print(&format!("{} is no longer a member of {code}\n", u.name))
        }
        UserCommand::Password { name, password_stdin } => {
            let name = user_name(&name)?;
            existing(s, &name).await?;
            let (pass, generated) = new_password(password_stdin)?;
            let hash = password::hash(pass.clone()).await?;
            s.store.set_password(&name, &hash, s.ctx()).await?;
            if generated {
                print(&format!("new password for {name} (shown once): {pass}\n"))
            } else {
                print(&format!("password set for {name}; their sessions have ended\n"))
            }
        }
        UserCommand::Token(t) => token(s, t).await,
    }
}

async fn token(s: &Session, command: TokenCommand) -> anyhow::Result<ExitCode> {
    match command {
        TokenCommand::Create(a) => {
            let name = user_name(&a.name)?;
            let user = existing(s, &name).await?;
            let label = a.label.trim().to_owned();
            if label.is_empty() {
                bail!("--label: must not be empty");
            }
            let expires_at = match a.expires_in_days {
                None => None,
                Some(d) if (1..=3650).contains(&d) => Some(Utc::now() + Duration::days(i64::from(d))),
                Some(_) => bail!("--expires-in-days: must be from 1 to 3650"),
            };
            let (id, token) = secret::new_api_token()?;
            let fields = TokenFields {
                user: name,
                label,
                role: a.role.unwrap_or(user.fields.role),
                created_at: Utc::now(),
                expires_at,
                revoked_at: None,
            };
            let created = s.store.create_token(id, fields, &secret::hash(&token), s.ctx()).await?;
            print(&format!(
                "token {} for {} ({}); send as `Authorization: Bearer …` (shown once):\n{token}\n",
                created.id, created.fields.user, created.fields.role
            ))
        }
        TokenCommand::List { name, format } => {
            let name = name.as_deref().map(user_name).transpose()?;
            let tokens = s.store.tokens(name.as_ref()).await?;
            if format == ShowFormat::Json {
                return print(&output::json(&tokens)?);
            }
            let mut out = String::new();
            for t in &tokens {
                let state = match (t.fields.revoked_at, t.fields.expires_at) {
                    (Some(at), _) => format!("revoked {}", at.format("%Y-%m-%d")),
                    (None, Some(at)) => format!("expires {}", at.format("%Y-%m-%d")),
                    (None, None) => "live".to_owned(),
                };
                out.push_str(&format!(
                    "{:<14} {:<20} {:<12} {:<20} {}\n",
                    t.id,
                    t.fields.user.as_str(),
                    t.fields.role.as_str(),
                    state,
                    t.fields.label
                ));
            }
            print(&out)
        }
        TokenCommand::Revoke { id } => {
            s.store.revoke_token(&id, s.ctx()).await?;
            print(&format!("revoked token {id}\n"))
        }
    }
}
