//! The JSON bodies of the HTTP contract (shared/API.md) that the bench sends and reads.
//! Only the fields the bench uses are read; unknown fields are ignored on purpose.

use serde::{Deserialize, Serialize};

#[derive(Serialize)]
pub(crate) struct CreateUserRequest<'a> {
    pub name: &'a str,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct UserResponse {
    pub user_id: i64,
}

#[derive(Serialize)]
pub(crate) struct CreateConcertRequest<'a> {
    pub name: &'a str,
    pub schedules: Vec<CreateScheduleRequest>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CreateScheduleRequest {
    /// RFC 3339, UTC.
    pub date: String,
    pub seat_count: u32,
    pub seat_price: i64,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ConcertResponse {
    pub schedules: Vec<CreatedSchedule>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CreatedSchedule {
    pub schedule_id: i64,
    /// In seat-number order.
    pub seat_ids: Vec<i64>,
}

#[derive(Serialize)]
pub(crate) struct ChargeRequest {
    pub amount: i64,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
#[expect(dead_code, reason = "decoded only to check the answer's shape")]
pub(crate) struct ChargeResponse {
    /// The new balance.
    pub amount: i64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum QueueState {
    Waiting,
    Working,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct QueueResponse {
    pub token: String,
    pub status: QueueState,
    /// How long the server asks the client to wait before the next poll.
    pub poll_after_ms: u64,
}

#[derive(Deserialize)]
#[expect(dead_code, reason = "decoded only to check the answer's shape")]
pub(crate) struct SchedulesResponse {
    pub schedules: Vec<BookableSchedule>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
#[expect(dead_code, reason = "decoded only to check the answer's shape")]
pub(crate) struct BookableSchedule {
    pub schedule_id: i64,
    pub left_seats: i64,
}

#[derive(Deserialize)]
pub(crate) struct SeatMapResponse {
    pub seats: Vec<Seat>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Seat {
    pub seat_id: i64,
    pub status: SeatState,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum SeatState {
    Available,
    Held,
    Sold,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
#[expect(dead_code, reason = "decoded only to check the answer's shape")]
pub(crate) struct HoldResponse {
    pub reservation_id: i64,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
#[expect(dead_code, reason = "decoded only to check the answer's shape")]
pub(crate) struct PaymentResponse {
    pub payment_id: i64,
    /// Only `paid` is a success; anything else fails to decode and is counted as such.
    pub status: PaymentState,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum PaymentState {
    Paid,
}

/// `{"error": {"code", "message"}}`, the body of every failed request.
#[derive(Deserialize)]
pub(crate) struct ErrorResponse {
    pub error: ErrorDetail,
}

#[derive(Deserialize)]
pub(crate) struct ErrorDetail {
    pub code: String,
}
