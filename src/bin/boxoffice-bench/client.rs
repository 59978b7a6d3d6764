//! `Api`: one typed call per endpoint the bench drives, over a single pooled HTTP client,
//! with the number of requests in flight bounded and every answer recorded in `Stats`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use reqwest::{Method, RequestBuilder, StatusCode};
use serde::de::DeserializeOwned;
use tokio::sync::Semaphore;

use crate::stats::{Endpoint, ErrorKey, Stats};
use crate::wire::{
    ChargeRequest, ChargeResponse, ConcertResponse, CreateConcertRequest, CreateUserRequest,
    ErrorResponse, HoldResponse, PaymentResponse, QueueResponse, SchedulesResponse,
    SeatMapResponse, UserResponse,
};

/// Why a call did not return the expected answer. It is already counted in the stats.
#[derive(Debug, thiserror::Error)]
pub(crate) enum CallError {
    /// An answer with another status; `code` is the error body's code.
    #[error("{status} {code}")]
    Rejected { status: StatusCode, code: String },
    /// No answer, or the expected status with a body that does not match the contract.
    #[error("{0}")]
    Broken(String),
}

impl CallError {
    pub(crate) fn is(&self, status: StatusCode, code: &str) -> bool {
        matches!(self, Self::Rejected { status: s, code: c } if *s == status && c == code)
    }
}

pub(crate) type CallResult<T> = Result<T, CallError>;

/// Cheap to clone; clones share the connection pool and the in-flight limit.
#[derive(Clone)]
pub(crate) struct Api {
    shared: Arc<Shared>,
    stats: Arc<Stats>,
}

struct Shared {
    http: reqwest::Client,
    /// Without a trailing slash.
    base: String,
    admin_key: String,
    /// Bounds requests in flight across every task, so that thousands of simulated users
    /// can sleep between polls without each holding a connection.
    in_flight: Semaphore,
}

impl Api {
    /// # Errors
    /// When the HTTP client cannot be built.
    pub(crate) fn new(
        base_url: &str,
        admin_key: &str,
        concurrency: usize,
        request_timeout: Duration,
    ) -> anyhow::Result<Self> {
        let http = reqwest::Client::builder()
            .pool_max_idle_per_host(concurrency)
            .timeout(request_timeout)
            .connect_timeout(Duration::from_secs(5))
            .tcp_nodelay(true)
            .build()
            .context("building the HTTP client")?;
        Ok(Self {
            shared: Arc::new(Shared {
                http,
                base: base_url.trim_end_matches('/').to_owned(),
                admin_key: admin_key.to_owned(),
                in_flight: Semaphore::new(concurrency),
            }),
            stats: Arc::default(),
        })
    }

    /// The same client recording into fresh stats, for the next phase of a run.
    pub(crate) fn next_phase(&self) -> Self {
        Self {
            shared: Arc::clone(&self.shared),
            stats: Arc::default(),
        }
    }

    pub(crate) fn stats(&self) -> &Stats {
        &self.stats
    }

    pub(crate) async fn create_user(&self, name: &str) -> CallResult<UserResponse> {
        let request = self
            .admin(Method::POST, "/api/admin/users")
            .json(&CreateUserRequest { name });
        self.send(Endpoint::Admin, request, StatusCode::CREATED)
            .await
    }

    pub(crate) async fn create_concert(
        &self,
        body: &CreateConcertRequest<'_>,
    ) -> CallResult<ConcertResponse> {
        let request = self.admin(Method::POST, "/api/admin/concerts").json(body);
        self.send(Endpoint::Admin, request, StatusCode::CREATED)
            .await
    }

    pub(crate) async fn charge(
        &self,
        user_id: i64,
        amount: i64,
        idempotency_key: &str,
    ) -> CallResult<ChargeResponse> {
        let request = self
            .request(Method::PATCH, &format!("/api/point/{user_id}"))
            .header("Idempotency-Key", idempotency_key)
            .json(&ChargeRequest { amount });
        self.send(Endpoint::Charge, request, StatusCode::OK).await
    }

    /// `endpoint` is `QueueJoin` for a user's first call and `QueuePoll` after that: the
    /// HTTP request is the same, the server's work is not.
    pub(crate) async fn queue(
        &self,
        user_id: i64,
        endpoint: Endpoint,
    ) -> CallResult<QueueResponse> {
        let request = self.request(Method::GET, &format!("/api/queue/{user_id}"));
        self.send(endpoint, request, StatusCode::OK).await
    }

    pub(crate) async fn schedules(&self, token: &str) -> CallResult<SchedulesResponse> {
        let request = self
            .request(Method::GET, "/api/concerts/schedule")
            .bearer_auth(token);
        self.send(Endpoint::Schedules, request, StatusCode::OK)
            .await
    }

    pub(crate) async fn seat_map(
        &self,
        token: &str,
        schedule_id: i64,
    ) -> CallResult<SeatMapResponse> {
        let request = self
            .request(Method::GET, &format!("/api/concert/schedule/{schedule_id}"))
            .bearer_auth(token);
        self.send(Endpoint::SeatMap, request, StatusCode::OK).await
    }

    pub(crate) async fn hold(
        &self,
        token: &str,
        schedule_id: i64,
        seat_id: i64,
    ) -> CallResult<HoldResponse> {
        let path = format!("/api/concert/schedule/{schedule_id}/seat/{seat_id}/reservation");
        let request = self.request(Method::POST, &path).bearer_auth(token);
        self.send(Endpoint::Hold, request, StatusCode::CREATED)
            .await
    }

    pub(crate) async fn pay(
        &self,
        token: &str,
        schedule_id: i64,
        seat_id: i64,
        idempotency_key: &str,
    ) -> CallResult<PaymentResponse> {
        let path = format!("/api/concert/schedule/{schedule_id}/seat/{seat_id}/pay");
        let request = self
            .request(Method::POST, &path)
            .bearer_auth(token)
            .header("Idempotency-Key", idempotency_key);
        self.send(Endpoint::Pay, request, StatusCode::OK).await
    }

    fn request(&self, method: Method, path: &str) -> RequestBuilder {
        let url = format!("{}{path}", self.shared.base);
        self.shared.http.request(method, url)
    }

    fn admin(&self, method: Method, path: &str) -> RequestBuilder {
        self.request(method, path)
            .bearer_auth(&self.shared.admin_key)
    }

    /// Sends one request and reads the whole body. Latency runs from the moment the request
    /// gets an in-flight slot to the last byte, so time spent queueing inside the bench is
    /// not blamed on the server.
    async fn send<T: DeserializeOwned>(
        &self,
        endpoint: Endpoint,
        request: RequestBuilder,
        expected: StatusCode,
    ) -> CallResult<T> {
        let permit = self
            .shared
            .in_flight
            .acquire()
            .await
            .expect("the in-flight semaphore is never closed");
        let started = Instant::now();
        let answer = match request.send().await {
            Ok(response) => {
                let status = response.status();
                response.bytes().await.map(|body| (status, body))
            }
            Err(err) => Err(err),
        };
        let latency = started.elapsed();
        drop(permit);

        let (status, body) = match answer {
            Ok(answer) => answer,
            Err(err) => {
                let kind = transport_kind(&err);
                self.stats.unanswered(endpoint, kind);
                return Err(CallError::Broken(format!(
                    "{} failed ({kind}): {err}",
                    endpoint.as_str()
                )));
            }
        };
        self.stats.answered(endpoint, latency);

        if status == expected {
            return serde_json::from_slice(&body).map_err(|err| {
                self.stats.failed(
                    endpoint,
                    ErrorKey::http(status.as_u16(), "undecodable_body"),
                );
                CallError::Broken(format!(
                    "{} answered {status} with a body that does not match the contract: {err}",
                    endpoint.as_str()
                ))
            });
        }
        let code = serde_json::from_slice::<ErrorResponse>(&body)
            .map(|body| body.error.code)
            .unwrap_or_else(|_| "no_error_body".to_owned());
        self.stats
            .failed(endpoint, ErrorKey::http(status.as_u16(), code.clone()));
        Err(CallError::Rejected { status, code })
    }
}

fn transport_kind(err: &reqwest::Error) -> &'static str {
    if err.is_timeout() {
        "timeout"
    } else if err.is_connect() {
        "connect"
    } else if err.is_body() || err.is_decode() {
        "body"
    } else {
        "request"
    }
}
