//! First-start onboarding from `EDGEFLUX_INIT_*` (like the official image's
//! `DOCKER_INFLUXDB_INIT_*`): runs `POST /api/v2/setup` through the engine once.

use edgeflux_api::Request;

use super::Server;

/// `1w`, `72h`, `30d`, `3600s`, `90m` or plain seconds → seconds; empty/`0` = infinite.
pub fn parse_retention(text: &str) -> Option<i64> {
    let text = text.trim();
    if text.is_empty() || text == "0" {
        return Some(0);
    }
    let mut total: i64 = 0;
    let mut num = String::new();
    let mut chars = text.chars().peekable();
    let mut any = false;
    while let Some(c) = chars.next() {
        if c.is_ascii_digit() {
            num.push(c);
            continue;
        }
        let mut unit = c.to_string();
        if c == 'm' && chars.peek() == Some(&'s') {
            unit.push('s');
            chars.next();
        }
        let n: i64 = num.parse().ok()?;
        num.clear();
        let secs = match unit.as_str() {
            "s" => 1,
            "m" => 60,
            "h" => 3600,
            "d" => 86_400,
            "w" => 7 * 86_400,
            _ => return None,
        };
        total = total.checked_add(n.checked_mul(secs)?)?;
        any = true;
    }
    if !num.is_empty() {
        if any {
            return None;
        }
        total = num.parse().ok()?;
    }
    Some(total)
}

pub fn onboard_from_env(server: &Server) -> Result<(), String> {
    let var = |n: &str| {
        std::env::var(format!("EDGEFLUX_INIT_{n}"))
            .ok()
            .filter(|v| !v.is_empty())
    };
    let Some(username) = var("USERNAME") else {
        return Ok(());
    };
    if server
        .engine
        .read()
        .unwrap_or_else(|e| e.into_inner())
        .is_onboarded()
    {
        return Ok(());
    }
    let org = var("ORG").ok_or("EDGEFLUX_INIT_ORG is required with EDGEFLUX_INIT_USERNAME")?;
    let bucket =
        var("BUCKET").ok_or("EDGEFLUX_INIT_BUCKET is required with EDGEFLUX_INIT_USERNAME")?;
    let retention = match var("RETENTION") {
        Some(r) => parse_retention(&r).ok_or(format!("bad EDGEFLUX_INIT_RETENTION {r:?}"))?,
        None => 0,
    };
    let mut body = serde_json::json!({
        "username": username,
        "org": org,
        "bucket": bucket,
        "retentionPeriodSeconds": retention,
    });
    if let Some(p) = var("PASSWORD") {
        body["password"] = p.into();
    }
    if let Some(t) = var("ADMIN_TOKEN") {
        body["token"] = t.into();
    }
    let request = Request {
        method: "POST".into(),
        path: "/api/v2/setup".into(),
        headers: vec![("Content-Type".into(), "application/json".into())],
        body: body.to_string().into_bytes(),
        ..Request::default()
    };
    let response = super::process(server, &request);
    if response.status != 201 {
        return Err(format!(
            "onboarding from EDGEFLUX_INIT_* failed: {}",
            String::from_utf8_lossy(&response.body)
        ));
    }
    eprintln!("edgeflux: onboarded user {username:?}, org {org:?}, bucket {bucket:?}");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::parse_retention;

    #[test]
    fn retention_durations() {
        assert_eq!(parse_retention("1w"), Some(604_800));
        assert_eq!(parse_retention("1h30m"), Some(5400));
        assert_eq!(parse_retention("3600"), Some(3600));
        assert_eq!(parse_retention(""), Some(0));
        assert_eq!(parse_retention("1x"), None);
        assert_eq!(parse_retention("h"), None);
    }
}
