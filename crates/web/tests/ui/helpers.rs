//! A signed-in HTTP client for the UI: it keeps the session cookie by hand, reads the
//! CSRF token from a page's forms, and posts forms as a browser would.

use reqwest::StatusCode;
use reqwest::header::{CONTENT_TYPE, COOKIE, HeaderMap, LOCATION, SET_COOKIE};

pub use crate::app::{PASSWORD, TestServer, spawn_server};

pub struct Page {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Page {
    pub fn location(&self) -> String {
        self.headers
            .get(LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned()
    }

    pub fn html(&self) -> scraper::Html {
        scraper::Html::parse_document(&self.body)
    }

    /// The visible text of every element matching `css`.
    pub fn texts(&self, css: &str) -> Vec<String> {
        let sel = scraper::Selector::parse(css).expect("selector");
        self.html()
            .select(&sel)
            .map(|e| {
                e.text()
                    .collect::<String>()
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect()
    }

    pub fn attr(&self, css: &str, name: &str) -> Vec<String> {
        let sel = scraper::Selector::parse(css).expect("selector");
        self.html()
            .select(&sel)
            .filter_map(|e| e.value().attr(name).map(str::to_owned))
            .collect()
    }
}

pub struct Browser<'a> {
    pub server: &'a TestServer,
    client: reqwest::Client,
    pub cookie: Option<String>,
}

impl<'a> Browser<'a> {
    pub fn new(server: &'a TestServer) -> Self {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client");
        Self {
            server,
            client,
            cookie: None,
        }
    }

    pub async fn signed_in(server: &'a TestServer, name: &str) -> Self {
        let mut b = Self::new(server);
        let page = b
            .post_raw("/signin", &[("name", name), ("password", PASSWORD), ("next", "/")], &[])
            .await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "sign-in failed: {}", page.body);
        let set = page
            .headers
            .get(SET_COOKIE)
            .and_then(|v| v.to_str().ok())
            .expect("a session cookie");
        b.cookie = Some(set.split(';').next().expect("cookie").to_owned());
        b
    }

    pub async fn get(&self, path: &str) -> Page {
        let mut req = self.client.get(self.server.url(path));
        if let Some(c) = &self.cookie {
            req = req.header(COOKIE, c);
        }
        read(req.send().await.expect("GET")).await
    }

    /// Posts a form with extra headers (such as `Origin`), exactly the fields given.
    pub async fn post_raw(&self, path: &str, fields: &[(&str, &str)], headers: &[(&str, &str)]) -> Page {
        let body = serde_urlencoded::to_string(fields).expect("form");
        let mut req = self
            .client
            .post(self.server.url(path))
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(body);
        if let Some(c) = &self.cookie {
            req = req.header(COOKIE, c);
        }
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        read(req.send().await.expect("POST")).await
    }

    /// The CSRF token from the sign-out form every signed-in page carries.
    pub async fn csrf(&self) -> String {
        let page = self.get("/").await;
        page.attr("input[name=csrf]", "value")
            .into_iter()
            .next()
            .expect("a csrf field")
    }

    /// Posts a form with the session's CSRF token, as our own pages do.
    pub async fn post(&self, path: &str, fields: &[(&str, &str)]) -> Page {
        let csrf = self.csrf().await;
        let mut all: Vec<(&str, &str)> = vec![("csrf", csrf.as_str())];
        all.extend_from_slice(fields);
        self.post_raw(path, &all, &[("origin", &self.server.url(""))]).await
    }
}

async fn read(r: reqwest::Response) -> Page {
    let status = r.status();
    let headers = r.headers().clone();
    let body = r.text().await.expect("body");
    Page { status, headers, body }
}
