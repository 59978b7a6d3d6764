//! Payment and refunds. One database transaction moves the points, writes the history
//! entry and the payment, marks the reservation paid and the seat sold; the database's
//! conditional updates and unique keys decide, so a hold that ends during payment is
//! either paid-and-sold or refused with nothing charged. The hot store is told afterwards.

use chrono::{DateTime, Duration, Utc};
use entity::point_history::Kind;
use entity::{reservation, seat};
use sea_orm::{DatabaseConnection, DatabaseTransaction};
use uuid::Uuid;

use crate::services::booking::BookingService;
use crate::services::catalog::MAX_SAFE_INTEGER;
use crate::services::idempotency::{self, KeyedRequest, Outcome, StoredResponse};
use crate::services::queue::QueueService;
use crate::services::{ServiceError, ServiceResult};
use crate::store::HotStore;
use crate::store::db::{self, points as point_store, reservations, sales};

/// The result of a payment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentReceipt {
    pub payment_id: i64,
    pub reservation_id: i64,
    pub user_id: i64,
    pub amount: i64,
    /// The balance after the payment.
    pub balance: i64,
    pub paid_at: DateTime<Utc>,
    pub concert_name: String,
    pub schedule_date: DateTime<Utc>,
    pub seat_number: i32,
}

/// The result of a refund.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefundReceipt {
    pub reservation_id: i64,
    pub user_id: i64,
    pub amount: i64,
    /// The balance right after the refund.
    pub balance: i64,
    pub refunded_at: DateTime<Utc>,
}

/// Payment operations. Cheap to clone.
#[derive(Clone)]
pub struct PaymentService {
    db: DatabaseConnection,
    hot: HotStore,
    booking: BookingService,
    queue: QueueService,
    refund_cutoff: Duration,
}

impl PaymentService {
    pub fn new(
        db: DatabaseConnection,
        hot: HotStore,
        booking: BookingService,
        queue: QueueService,
        refund_cutoff_secs: i64,
    ) -> Self {
        Self {
            db,
            hot,
            booking,
            queue,
            refund_cutoff: Duration::seconds(refund_cutoff_secs),
        }
    }

    /// Seed endpoint 7: pays for the user's own live hold on the seat. Afterwards the
    /// seat is marked sold in the hot store and, unless the user still holds another
    /// seat, their working session (token `jti`) ends.
    ///
    /// # Errors
    /// `ScheduleNotFound`, `SeatNotFound`, `ReservationNotFound`, `HoldExpired`,
    /// `AlreadyPaid`, `InsufficientPoints`, `SeatUnavailable`, `IdempotencyKeyReused`,
    /// `Store`.
    pub async fn pay<R>(
        &self,
        user_id: i64,
        jti: Uuid,
        schedule_id: i64,
        seat_id: i64,
        keyed: Option<&KeyedRequest>,
        render: R,
    ) -> ServiceResult<Outcome<PaymentReceipt>>
    where
        R: Fn(&ServiceResult<PaymentReceipt>) -> StoredResponse,
    {
        self.booking.schedule_and_seat(schedule_id, seat_id).await?;
        let outcome = idempotency::run_in_transaction(&self.db, user_id, keyed, render, |txn| {
            Box::pin(sell(txn, user_id, seat_id))
        })
        .await?;
        if let Outcome::Fresh(_) = &outcome {
            self.after_sale(user_id, jti, schedule_id, seat_id).await;
        }
        Ok(outcome)
    }

    /// Tells the hot store about a committed sale. The sale stands whatever happens here,
    /// so failures are logged, not returned.
    async fn after_sale(&self, user_id: i64, jti: Uuid, schedule_id: i64, seat_id: i64) {
        self.booking.seat_count_changed(schedule_id);
        if let Err(err) = self.hot.seat_sell(schedule_id, seat_id, user_id).await {
            tracing::warn!(error = ?err, schedule_id, seat_id, "sold seat not marked in the hot store");
        }
        metrics::counter!("payments_total").increment(1);
        match reservations::live_holds_of_user(&self.db, user_id, crate::time::now()).await {
            Ok(0) => {
                if let Err(err) = self.queue.leave(user_id, jti).await {
                    tracing::warn!(error = ?err, user_id, "working session not ended after payment");
                }
            }
            Ok(_) => {}
            Err(err) => tracing::warn!(error = ?err, user_id, "could not count remaining holds"),
        }
    }

    /// Refunds a paid reservation before the show's cut-off: the points come back with a
    /// `refund` history entry and the seat goes back on sale. Refunding again returns the
    /// same receipt.
    ///
    /// # Errors
    /// `ReservationNotFound` (also for another user's reservation when `caller` is
    /// known), `RefundClosed`, `NotPaid`, `Store`.
    pub async fn refund(
        &self,
        caller: Option<i64>,
        reservation_id: i64,
    ) -> ServiceResult<RefundReceipt> {
        let row = reservations::find(&self.db, reservation_id)
            .await?
            .filter(|r| caller.is_none_or(|caller| caller == r.user_id))
            .ok_or(ServiceError::ReservationNotFound)?;
        let cutoff = self.refund_cutoff;
        let refunded = idempotency::run_unkeyed(&self.db, |txn| {
            let row = row.clone();
            Box::pin(async move { refund_in(txn, &row, cutoff).await })
        })
        .await;
        let (receipt, fresh) = match refunded {
            // A concurrent refund of the same reservation may have won; its entry is only
            // visible outside the losing transaction's snapshot.
            Err(ServiceError::NotPaid) => match point_store::refund_of(&self.db, row.id).await? {
                Some(entry) => (
                    receipt_of(&row, entry.amount, entry.balance_after, entry.created_at),
                    false,
                ),
                None => return Err(ServiceError::NotPaid),
            },
            other => other?,
        };
        if fresh {
            self.booking.seat_count_changed(row.schedule_id);
            if let Err(err) = self.hot.seat_unsell(row.schedule_id, row.seat_id).await {
                tracing::warn!(error = ?err, seat_id = row.seat_id, "refunded seat not freed in the hot store");
            }
            metrics::counter!("refunds_total").increment(1);
        }
        Ok(receipt)
    }
}

/// The statements of one sale, in order: reservation, points, history, payment, seat.
async fn sell(
    txn: &DatabaseTransaction,
    user_id: i64,
    seat_id: i64,
) -> ServiceResult<PaymentReceipt> {
    let now = crate::time::now();
    let reservation = reservations::latest_for_seat(txn, seat_id, user_id)
        .await?
        .ok_or(ServiceError::ReservationNotFound)?;
    match sales::mark_paid(txn, &reservation, now).await {
        Ok(true) => {}
        Ok(false) => return Err(why_not_payable(&reservation, now)),
        // Another reservation is the seat's sale: the hot store lied, the database holds.
        Err(err) if db::is_unique_violation(&err) => return Err(ServiceError::SeatUnavailable),
        Err(err) => return Err(err.into()),
    }
    let price = reservation.seat_price;
    let balance = point_store::subtract(txn, user_id, price, now)
        .await?
        .ok_or(ServiceError::InsufficientPoints)?;
    point_store::record(
        txn,
        user_id,
        Kind::Use,
        price,
        balance,
        Some(reservation.id),
        now,
    )
    .await?;
    let payment = sales::insert_payment(txn, &reservation, now).await?;
    if !sales::move_seat(
        txn,
        seat_id,
        seat::Status::Available,
        seat::Status::Sold,
        now,
    )
    .await?
    {
        return Err(ServiceError::SeatUnavailable);
    }
    Ok(PaymentReceipt {
        payment_id: payment.id,
        reservation_id: reservation.id,
        user_id,
        amount: price,
        balance,
        paid_at: now,
        concert_name: reservation.concert_name,
        schedule_date: reservation.schedule_date,
        seat_number: reservation.seat_number,
    })
}

/// Why the user's latest reservation of a seat could not be marked paid. The row read
/// before the update is enough: a concurrent payment that won shows as `AlreadyPaid` on
/// the caller's retry, and as a refused update here.
fn why_not_payable(reservation: &reservation::Model, now: DateTime<Utc>) -> ServiceError {
    match reservation.status {
        reservation::Status::Paid => ServiceError::AlreadyPaid,
        reservation::Status::Held if reservation.expired_at > now => ServiceError::AlreadyPaid,
        reservation::Status::Held | reservation::Status::Expired => ServiceError::HoldExpired,
        reservation::Status::Cancelled | reservation::Status::Refunded => {
            ServiceError::ReservationNotFound
        }
    }
}

/// Refunds in one transaction; the receipt and whether this call did the refund.
async fn refund_in(
    txn: &DatabaseTransaction,
    row: &reservation::Model,
    cutoff: Duration,
) -> ServiceResult<(RefundReceipt, bool)> {
    let now = crate::time::now();
    if let Some(entry) = point_store::refund_of(txn, row.id).await? {
        return Ok((
            receipt_of(row, entry.amount, entry.balance_after, entry.created_at),
            false,
        ));
    }
    if row.status != reservation::Status::Paid {
        return Err(ServiceError::NotPaid);
    }
    if row.schedule_date - cutoff <= now {
        return Err(ServiceError::RefundClosed);
    }
    if !sales::mark_refunded(txn, row.id, now).await? {
        return Err(ServiceError::NotPaid);
    }
    let balance = point_store::add(txn, row.user_id, row.seat_price, MAX_SAFE_INTEGER, now)
        .await?
        .ok_or_else(|| {
            ServiceError::InvalidAmount(format!("the balance may not pass {MAX_SAFE_INTEGER}"))
        })?;
    point_store::record(
        txn,
        row.user_id,
        Kind::Refund,
        row.seat_price,
        balance,
        Some(row.id),
        now,
    )
    .await?;
    sales::refund_payment(txn, row.id, now).await?;
    sales::move_seat(
        txn,
        row.seat_id,
        seat::Status::Sold,
        seat::Status::Available,
        now,
    )
    .await?;
    Ok((receipt_of(row, row.seat_price, balance, now), true))
}

fn receipt_of(
    row: &reservation::Model,
    amount: i64,
    balance: i64,
    at: DateTime<Utc>,
) -> RefundReceipt {
    RefundReceipt {
        reservation_id: row.id,
        user_id: row.user_id,
        amount,
        balance,
        refunded_at: at,
    }
}
