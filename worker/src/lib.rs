//! The edge home: Cloudflare Worker + Durable Objects. Placeholder.
