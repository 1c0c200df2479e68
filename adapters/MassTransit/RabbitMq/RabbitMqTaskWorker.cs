using global::MassTransit;
using global::MassTransit.Middleware;
using Microsoft.Extensions.Logging;
using Tasks.Execution;

namespace Tasks.MassTransit.RabbitMq;

/// <summary>
/// A worker on RabbitMQ: its own MassTransit bus (its own connection) with one receive endpoint per chosen queue, prefetch and
/// concurrent message limit = <see cref="TaskWorkerOptions.Concurrency"/>. The consumer runs the task through the shared
/// pipeline and returns only when the outcome is recorded, so MassTransit acknowledges after the work: a worker that dies
/// first leaves the message unacknowledged and RabbitMQ hands it to another worker, where the pipeline records the lost attempt.
/// </summary>
internal sealed class RabbitMqTaskWorker : ITaskWorker
{
    private readonly MassTransitTaskBackend _backend;
    private readonly RabbitMqTaskTransport _transport;
    private readonly TaskExecutor _executor;
    private readonly TaskExecutionContext _context;
    private readonly TaskWorkerOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly string[] _queues;
    private readonly SemaphoreSlim? _slots;
    private readonly CancellationTokenSource _stopTaking = new();
    private readonly CancellationTokenSource _stopRunning = new();
    private IBusControl? _bus;
    private Task? _stopping;

    public RabbitMqTaskWorker(MassTransitTaskBackend backend, RabbitMqTaskTransport transport, TaskExecutor executor, TaskExecutionContext context, TaskWorkerOptions options, ILogger logger, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Concurrency, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.Concurrency, ushort.MaxValue);
        _backend = backend;
        _transport = transport;
        _executor = executor;
        _context = context;
        _options = options;
        _logger = logger;
        _time = time;
        _queues = options.Queues.Distinct(StringComparer.Ordinal).ToArray();
        if (_queues.Length == 0)
        {
            throw new TaskConfigurationException($"Worker '{context.WorkerId}' of backend '{backend.Alias}' has no queue to listen to.");
        }

        // Each endpoint may run Concurrency tasks; with several queues this keeps the worker's total at Concurrency too.
        _slots = _queues.Length > 1 ? new SemaphoreSlim(options.Concurrency, options.Concurrency) : null;
    }

    public string Id => _context.WorkerId;

    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        // Declared first with the producer's arguments and the delay binding, so both sides agree whoever starts first.
        // The delay topology too, now rather than on the first retry.
        try
        {
            await _transport.Admin.EnsureQueuesAsync(_queues.Select(_transport.Topology.QueueName), cancellationToken).ConfigureAwait(false);
            await _transport.Admin.EnsureDelayTopologyAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested && RabbitMqErrors.IsUnavailable(ex))
        {
            throw new TaskBackendUnavailableException(_backend.Alias, $"starting worker {Id} (RabbitMQ at {_transport.Settings})", ex);
        }

        var bus = _transport.CreateBus($"tasks-worker {Id}", cfg =>
        {
            foreach (var queue in _queues)
            {
                cfg.ReceiveEndpoint(_transport.Topology.QueueName(queue), e =>
                {
                    // Only what we send to the queue: no binding of the message type's publish exchange.
                    e.ConfigureConsumeTopology = false;
                    e.EnablePriority(MassTransitPriority.MaxRabbitMqPriority);
                    e.PrefetchCount = _options.Concurrency;
                    e.ConcurrentMessageLimit = _options.Concurrency;
                    e.PublishFaults = false;

                    // No UseMessageRetry / UseRedelivery: the pipeline owns attempts. Our requeue requests are nacked back to
                    // the queue; anything else MassTransit itself fails on (e.g. an unreadable message) goes to its _error queue.
                    e.ConfigureError(x =>
                    {
                        x.UseFilter(new RequeueErrorFilter());
                        x.UseFilter(new GenerateFaultFilter());
                        x.UseFilter(new ErrorTransportFilter());
                    });
                    e.Handler<TaskEnvelopeMessage>(ConsumeAsync);
                });
            }
        });
        await _transport.StartBusAsync(bus, $"starting worker {Id}", cancellationToken).ConfigureAwait(false);
        _bus = bus;
        MassTransitLog.WorkerStarted(_logger, Id, _backend.Alias, MassTransitTransport.RabbitMq, string.Join(",", _queues), _options.Concurrency);
    }

    public Task StopAsync(CancellationToken cancellationToken = default)
    {
        lock (_stopTaking)
        {
            return _stopping ??= StopCoreAsync(cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _stopTaking.Dispose();
        _stopRunning.Dispose();
        _slots?.Dispose();
    }

    private async Task StopCoreAsync(CancellationToken cancellationToken)
    {
        await _stopTaking.CancelAsync().ConfigureAwait(false);
        if (_bus is null)
        {
            return;
        }

        // MassTransit stops delivering at once and waits for the consumers that are running.
        var stop = _bus.StopAsync(CancellationToken.None);
        try
        {
            await stop.WaitAsync(_options.ShutdownTimeout, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
        {
            MassTransitLog.ShutdownTimeout(_logger, Id);
            await _stopRunning.CancelAsync().ConfigureAwait(false);
            await stop.ConfigureAwait(false);
        }

        MassTransitLog.WorkerStopped(_logger, Id);
    }

    private async Task ConsumeAsync(ConsumeContext<TaskEnvelopeMessage> consumeContext)
    {
        if (_stopTaking.IsCancellationRequested)
        {
            throw new TaskRequeueException("The worker is stopping.");
        }

        var envelope = consumeContext.Message.ToEnvelope();
        if (!Guid.TryParse(envelope.Id, out _) || string.IsNullOrEmpty(envelope.TaskName))
        {
            // Not written by Tasks (no task id to record a result under): MassTransit's error queue, where it can be seen.
            MassTransitLog.NotATask(_logger, Id, consumeContext.MessageId?.ToString() ?? "(none)");
            throw new InvalidTaskException($"Message {consumeContext.MessageId} is not a Tasks envelope: its id '{envelope.Id}' is not a GUID or it has no task name.", "Id", _backend.Alias);
        }

        if (envelope.RunAfter is { } due && due > _time.GetUtcNow())
        {
            // Early: a delay longer than one pass of the delay topology, or clocks apart. Wait out the rest.
            MassTransitLog.Redelayed(_logger, envelope.Id, (due - _time.GetUtcNow()).TotalMilliseconds);
            await SettleAsync(envelope, () => _transport.SendAsync([envelope], CancellationToken.None)).ConfigureAwait(false);
            return;
        }

        if (_slots is not null)
        {
            try
            {
                await _slots.WaitAsync(_stopTaking.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                throw new TaskRequeueException("The worker is stopping.");
            }
        }

        try
        {
            TaskExecutionOutcome outcome;
            try
            {
                // A first attempt delivered for the first time finds its result as the enqueue wrote it: the pipeline records
                // the attempt against that without reading it first (a compare-and-set, so a cancelled task is still caught).
                var asEnqueued = envelope.Attempt == 1 && !consumeContext.ReceiveContext.Redelivered ? TaskResult.ForEnqueued(envelope, _backend.Alias) : null;
                outcome = await _executor.ExecuteAsync(envelope, _context, asEnqueued, _stopRunning.Token).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                throw await FailedAsync(envelope, ex).ConfigureAwait(false);
            }

            switch (outcome.Disposition)
            {
                case TaskExecutionDisposition.Retry:
                    // The next attempt is a new message (delayed by the backoff); this one is acknowledged when we return.
                    await SettleAsync(envelope, () => _transport.SendAsync([outcome.Retry!], CancellationToken.None)).ConfigureAwait(false);
                    break;
                case TaskExecutionDisposition.Abandoned:
                    // Interrupted by shutdown: back to the queue unacknowledged, at its place.
                    throw new TaskRequeueException("The worker stopped while the task ran.");
            }
        }
        finally
        {
            _slots?.Release();
        }
    }

    /// <summary>Runs one step; if it fails (store or broker trouble), see <see cref="FailedAsync"/>.</summary>
    private async Task SettleAsync(TaskEnvelope envelope, Func<Task> step)
    {
        try
        {
            await step().ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            throw await FailedAsync(envelope, ex).ConfigureAwait(false);
        }
    }

    /// <summary>Logs a failure to run or settle a task, pauses, and returns the exception that hands the message back to RabbitMQ.</summary>
    private async Task<TaskRequeueException> FailedAsync(TaskEnvelope envelope, Exception ex)
    {
        MassTransitLog.ConsumeFailed(_logger, ex, Id, envelope.Id, _options.ErrorDelay.TotalMilliseconds);
        try
        {
            await Task.Delay(_options.ErrorDelay, _time, _stopTaking.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopping: requeue at once.
        }

        return new TaskRequeueException($"Task {envelope.Id} could not be run or settled.", ex);
    }
}
