namespace Tasks.MassTransit;

/// <summary>
/// Thrown by the consumer to hand a delivery back to the broker unacknowledged (negative acknowledgement with requeue),
/// instead of MassTransit's error queue: the worker is stopping, or an infrastructure failure prevented settling it.
/// </summary>
internal sealed class TaskRequeueException(string message, Exception? innerException = null) : Exception(message, innerException);
