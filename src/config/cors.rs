//! `WEFT_CORS_ORIGINS`: the browser origins allowed to call the API.

/// Browser origins allowed to call the API (`WEFT_CORS_ORIGINS`): none, some, or any (`*`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum CorsOrigins {
    #[default]
    Closed,
    Any,
    Only(Vec<String>),
}

impl CorsOrigins {
    /// A comma-separated list of origins (`https://app.example.com`), or `*`.
    pub fn parse(list: &str) -> Result<Self, String> {
        let entries: Vec<&str> = list
            .split(',')
            .map(str::trim)
            .filter(|e| !e.is_empty())
            .collect();
        if entries.is_empty() {
            return Ok(Self::Closed);
        }
        if entries == ["*"] {
            return Ok(Self::Any);
        }
        let mut origins = Vec::new();
        for entry in entries {
            let url = url::Url::parse(entry).map_err(|_| format!("{entry:?} is not an origin"))?;
            let origin = url.origin().ascii_serialization();
            if origin == "null" || origin != entry.trim_end_matches('/') {
                return Err(format!(
                    "{entry:?} is not an origin (scheme://host[:port], nothing after it)"
                ));
            }
            origins.push(origin);
        }
        Ok(Self::Only(origins))
    }

    /// Whether a browser at `origin` may call the API.
    pub fn allows(&self, origin: &str) -> bool {
        match self {
            Self::Closed => false,
            Self::Any => true,
            Self::Only(list) => list.iter().any(|o| o == origin),
        }
    }
}
