using Microsoft.Extensions.Logging;
using Tasks.Diagnostics;
using Tasks.Execution;

namespace Tasks.Workers;

/// <summary>
/// A worker for pull-based backends: <see cref="TaskWorkerOptions.Concurrency"/> loops that receive a delivery, run it
/// through the <see cref="TaskExecutor"/> and settle it. Backends supply the <see cref="ITaskReceiver"/>.
/// </summary>
public sealed class PullTaskWorker : ITaskWorker
{
    private readonly ITaskReceiver _receiver;
    private readonly TaskExecutor _executor;
    private readonly TaskExecutionContext _context;
    private readonly TaskWorkerOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _stopTaking = new();
    private readonly CancellationTokenSource _stopRunning = new();
    private Task[] _loops = [];

    /// <summary>Creates the worker.</summary>
    public PullTaskWorker(ITaskReceiver receiver, TaskExecutor executor, TaskExecutionContext context, TaskWorkerOptions options, ILogger<PullTaskWorker> logger, TimeProvider? time = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Concurrency, 1);
        _receiver = receiver;
        _executor = executor;
        _context = context;
        _options = options;
        _logger = logger;
        _time = time ?? TimeProvider.System;
    }

    /// <inheritdoc />
    public string Id => _context.WorkerId;

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken = default)
    {
        _loops = Enumerable.Range(0, _options.Concurrency).Select(_ => Task.Run(RunLoopAsync, CancellationToken.None)).ToArray();
        TasksLog.WorkerStarted(_logger, Id, _context.Backend, _options.Queues.Count == 0 ? "(all)" : string.Join(",", _options.Queues), _options.Concurrency);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (_stopTaking.IsCancellationRequested)
        {
            return;
        }

        await _stopTaking.CancelAsync().ConfigureAwait(false);
        await _receiver.StopReceivingAsync(cancellationToken).ConfigureAwait(false);
        var all = Task.WhenAll(_loops);
        try
        {
            await all.WaitAsync(_options.ShutdownTimeout, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
        {
            // Running tasks overran the grace period: interrupt them; the pipeline puts them back.
            await _stopRunning.CancelAsync().ConfigureAwait(false);
            await all.ConfigureAwait(false);
        }

        TasksLog.WorkerStopped(_logger, Id);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        await _receiver.DisposeAsync().ConfigureAwait(false);
        _stopTaking.Dispose();
        _stopRunning.Dispose();
    }

    private async Task RunLoopAsync()
    {
        while (!_stopTaking.IsCancellationRequested)
        {
            ITaskDelivery delivery;
            try
            {
                delivery = await _receiver.ReceiveAsync(_stopTaking.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (_stopTaking.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                await PauseAfterErrorAsync(ex).ConfigureAwait(false);
                continue;
            }

            try
            {
                var outcome = await _executor.ExecuteAsync(delivery.Envelope, _context, _stopRunning.Token).ConfigureAwait(false);
                switch (outcome.Disposition)
                {
                    case TaskExecutionDisposition.Retry:
                        await delivery.RetryAsync(outcome.Retry!, CancellationToken.None).ConfigureAwait(false);
                        break;
                    case TaskExecutionDisposition.Abandoned:
                        await delivery.AbandonAsync(CancellationToken.None).ConfigureAwait(false);
                        break;
                    default:
                        await delivery.CompleteAsync(CancellationToken.None).ConfigureAwait(false);
                        break;
                }
            }
            catch (Exception ex)
            {
                // Unsettled deliveries stay held by this worker; the backend's recovery puts them back.
                await PauseAfterErrorAsync(ex).ConfigureAwait(false);
            }
        }
    }

    private async Task PauseAfterErrorAsync(Exception ex)
    {
        TasksLog.WorkerError(_logger, ex, Id, _options.ErrorDelay.TotalMilliseconds);
        try
        {
            await Task.Delay(_options.ErrorDelay, _time, _stopTaking.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }
}
