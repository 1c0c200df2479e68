using System.Runtime.ExceptionServices;
using global::MassTransit;

namespace Tasks.MassTransit.RabbitMq;

/// <summary>
/// First filter of the receive endpoint's error pipe: a <see cref="TaskRequeueException"/> is rethrown to the transport, which
/// answers with a negative acknowledgement and requeue; every other fault goes on to MassTransit's error queue.
/// </summary>
internal sealed class RequeueErrorFilter : IFilter<ExceptionReceiveContext>
{
    public Task Send(ExceptionReceiveContext context, IPipe<ExceptionReceiveContext> next)
    {
        if (context.Exception is TaskRequeueException)
        {
            ExceptionDispatchInfo.Capture(context.Exception).Throw();
        }

        return next.Send(context);
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("tasksRequeue");
}
