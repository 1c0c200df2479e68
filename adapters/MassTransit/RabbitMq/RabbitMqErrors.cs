using System.Net.Sockets;
using global::MassTransit;
using RabbitMQ.Client.Exceptions;

namespace Tasks.MassTransit.RabbitMq;

/// <summary>Which exceptions mean "RabbitMQ could not be reached or did not confirm": the operation did not (surely) happen.</summary>
internal static class RabbitMqErrors
{
    public static bool IsUnavailable(Exception ex) => ex switch
    {
        AggregateException a => a.InnerExceptions.Any(IsUnavailable),
        RabbitMqConnectionException or RabbitMQClientException or OperationInterruptedException or AlreadyClosedException => true,
        SocketException or IOException or TimeoutException => true,
        // MassTransit reports a nack or a publish lost with the channel this way (the type is not public in every version).
        _ when ex.GetType().Name == "MessageNotConfirmedException" => true,
        OperationCanceledException => true, // our timeout (the caller's own cancellation is filtered out before)
        _ => ex.InnerException is { } inner && IsUnavailable(inner),
    };
}
