using global::MassTransit;

namespace Tasks.MassTransit;

/// <summary>Sets the per-message transport properties of one task message: persistent, priority, routing key, transport delay, message id.</summary>
internal sealed class TaskSendPipe(byte? priority, string? routingKey, TimeSpan? delay, Guid? messageId = null) : IPipe<SendContext<TaskEnvelopeMessage>>
{
    public Task Send(SendContext<TaskEnvelopeMessage> context)
    {
        // Persistent (delivery mode 2) so a broker restart keeps queued tasks; MassTransit's default, stated here on purpose.
        context.Durable = true;
        if (priority is { } p)
        {
            context.SetPriority(p);
        }

        if (routingKey is not null)
        {
            context.SetRoutingKey(routingKey);
        }

        if (messageId is { } id)
        {
            context.MessageId = id;
        }

        if (delay is { } d)
        {
            context.Delay = d;
        }

        return Task.CompletedTask;
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("tasksSend");
}
