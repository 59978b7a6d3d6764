//! Builds the application: state, router, middleware, background tasks, graceful shutdown.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use axum::extract::FromRef;
use axum::http::{HeaderName, Request, Uri};
use axum::{Router, middleware};
use metrics_exporter_prometheus::PrometheusHandle;
use sea_orm::DatabaseConnection;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;
use utoipa::OpenApi;
use utoipa_swagger_ui::SwaggerUi;

use crate::auth::admin::AdminKey;
use crate::auth::identity::Identities;
use crate::auth::queue_token::QueueTokens;
use crate::config::{IdentityMode, Secret, Settings};
use crate::error::AppError;
use crate::openapi::ApiDoc;
use crate::services::booking::BookingService;
use crate::services::catalog_cache::CatalogCache;
use crate::services::payment::PaymentService;
use crate::services::queue::QueueService;
use crate::services::users::UserDirectory;
use crate::store::HotStore;
use crate::store::memory::MemoryStore;
use crate::store::redis::RedisStore;
use crate::{observability, routes, scheduler, store};

/// Everything a handler may ask for; each asks for the narrowest part it needs. Behind one
/// `Arc`, because axum clones the state for every request.
#[derive(Clone)]
pub struct AppState(Arc<AppParts>);

pub struct AppParts {
    pub settings: Arc<Settings>,
    pub db: DatabaseConnection,
    pub hot: HotStore,
    pub users: UserDirectory,
    pub admin_key: AdminKey,
    pub prometheus: PrometheusHandle,
    pub tokens: QueueTokens,
    pub identities: Identities,
    pub queue: QueueService,
    pub booking: BookingService,
    pub payments: PaymentService,
}

impl std::ops::Deref for AppState {
    type Target = AppParts;

    fn deref(&self) -> &AppParts {
        &self.0
    }
}

/// `State<Part>` extraction of each part.
macro_rules! state_parts {
    ($($field:ident: $part:ty),* $(,)?) => {
        $(impl FromRef<AppState> for $part {
            fn from_ref(state: &AppState) -> Self {
                state.0.$field.clone()
            }
        })*
    };
}

state_parts!(
    settings: Arc<Settings>,
    db: DatabaseConnection,
    hot: HotStore,
    users: UserDirectory,
    admin_key: AdminKey,
    prometheus: PrometheusHandle,
    tokens: QueueTokens,
    identities: Identities,
    queue: QueueService,
    booking: BookingService,
    payments: PaymentService,
);

/// A built, bound, not yet serving instance.
pub struct Application {
    listener: TcpListener,
    router: Router,
    state: AppState,
}

impl Application {
    /// Connects to the stores, migrates, and binds the listener.
    ///
    /// # Errors
    /// One line naming the unreachable back end or the unusable address.
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        warn_about_risky_settings(&settings);
        let db = store::db::connect_and_migrate(&settings.database).await?;
        let hot = if settings.redis.url.is_empty() {
            HotStore::Memory(MemoryStore::new())
        } else {
            HotStore::Redis(RedisStore::connect(&settings.redis).await?)
        };
        tracing::info!(
            database = settings.database_kind(),
            store = hot.kind(),
            "back ends connected"
        );
        let address = settings.server.address()?;
        let listener = TcpListener::bind(address)
            .await
            .with_context(|| format!("cannot listen on {address}"))?;
        let users = UserDirectory::new(db.clone());
        let tokens = QueueTokens::new(&jwt_secret(&settings));
        let queue = QueueService::new(
            hot.clone(),
            tokens.clone(),
            users.clone(),
            settings.queue.clone(),
            settings.jwt.token_ttl_secs,
        );
        let catalog = CatalogCache::new(
            db.clone(),
            Duration::from_millis(settings.cache.schedules_ttl_ms),
        );
        let booking = BookingService::new(db.clone(), hot.clone(), catalog, &settings.hold);
        let payments = PaymentService::new(
            db.clone(),
            hot.clone(),
            booking.clone(),
            queue.clone(),
            settings.refund.cutoff_secs,
        );
        let state = AppState(Arc::new(AppParts {
            admin_key: AdminKey(
                Some(settings.admin.api_key.clone())
                    .filter(|k| !k.is_empty())
                    .map(Arc::new),
            ),
            identities: Identities::new(&settings.auth),
            prometheus: observability::prometheus(),
            settings: Arc::new(settings),
            users,
            tokens,
            queue,
            booking,
            payments,
            db,
            hot,
        }));
        let router = router(state.clone());
        Ok(Self {
            listener,
            router,
            state,
        })
    }

    /// The address actually bound (the port is chosen by the OS when configured as 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .expect("a bound listener has an address")
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until `shutdown` completes, then finishes in-flight requests (up to the
    /// configured grace) and stops the background tasks.
    ///
    /// # Errors
    /// When the server fails.
    pub async fn run_until(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let (stop_tx, stop_rx) = watch::channel(false);
        let promoter = scheduler::spawn_promoter(
            self.state.queue.clone(),
            self.state.settings.queue.tick_ms,
            stop_rx.clone(),
        );
        let sweeper = scheduler::spawn_hold_sweeper(
            self.state.booking.clone(),
            self.state.settings.hold.sweep_interval_ms,
            stop_rx,
        );
        let grace = Duration::from_secs(self.state.settings.server.shutdown_grace_secs);
        let (drain_tx, mut drain_rx) = watch::channel(false);
        let serve = axum::serve(self.listener, self.router).with_graceful_shutdown(async move {
            shutdown.await;
            tracing::info!("shutting down: finishing in-flight requests");
            let _ = drain_tx.send(true);
        });
        let server = tokio::spawn(async move { serve.await });
        let mut server = std::pin::pin!(server);
        tokio::select! {
            result = &mut server => result.context("server task")??,
            () = async {
                let _ = drain_rx.wait_for(|draining| *draining).await;
                tokio::time::sleep(grace).await;
            } => tracing::warn!("in-flight requests did not finish within {grace:?}"),
        }
        let _ = stop_tx.send(true);
        let _ = promoter.await;
        let _ = sweeper.await;
        Ok(())
    }
}

/// The router with every route, the error-shaped fallbacks and the middleware stack.
pub fn router(state: AppState) -> Router {
    let request_id = HeaderName::from_static("x-request-id");
    let docs: Router<AppState> = SwaggerUi::new("/docs")
        .url("/openapi.json", ApiDoc::openapi())
        .into();
    routes::router()
        .merge(docs)
        .route_layer(middleware::from_fn(observability::track_http))
        .fallback(route_not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(TraceLayer::new_for_http().make_span_with(|request: &Request<_>| {
            let id = request
                .headers()
                .get("x-request-id")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("-");
            tracing::info_span!("request", method = %request.method(), uri = %request.uri(), request_id = %id)
        }))
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
        .with_state(state)
}

async fn route_not_found(uri: Uri) -> AppError {
    AppError::RouteNotFound(uri.path().to_owned())
}

async fn method_not_allowed() -> AppError {
    AppError::MethodNotAllowed
}

fn warn_about_risky_settings(settings: &Settings) {
    if settings.auth.identity == IdentityMode::Trust && settings.uses_mysql() {
        tracing::warn!(
            "APP_AUTH__IDENTITY=trust with MySQL: anyone may act for any user id; use jwt in production"
        );
    }
}

/// The queue-token key: the configured one, or a random one for this process only.
pub fn jwt_secret(settings: &Settings) -> Secret {
    if !settings.jwt.secret.is_empty() {
        return settings.jwt.secret.clone();
    }
    tracing::warn!(
        "APP_JWT__SECRET is not set: using a random key for this process; queue tokens will not survive a restart or work across instances"
    );
    let bytes: [u8; 32] = rand::random();
    Secret::new(hex::encode(bytes))
}
