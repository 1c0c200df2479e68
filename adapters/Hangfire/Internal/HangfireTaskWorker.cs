using Hangfire;
using Hangfire.Server;
using Microsoft.Extensions.Logging;

namespace Tasks.Hangfire.Internal;

/// <summary>A Tasks worker = one Hangfire <see cref="BackgroundJobServer"/> on the backend's storage, listening on the worker's queues (all priority bands).</summary>
internal sealed class HangfireTaskWorker(string id, Func<BackgroundJobServerOptions> serverOptions, Func<JobStorage> storage, IEnumerable<IBackgroundProcess> processes, string backend, ILogger logger) : ITaskWorker
{
    private BackgroundJobServer? _server;
    private bool _stopped;

    public string Id => id;

    public Task StartAsync(CancellationToken cancellationToken = default)
    {
        // A BackgroundJobServer starts when it is constructed.
        var options = serverOptions();
        _server ??= new BackgroundJobServer(options, storage(), processes);
        HangfireLog.WorkerStarted(logger, id, backend, string.Join(",", options.Queues), options.WorkerCount);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (_server is null || _stopped)
        {
            return;
        }

        _stopped = true;
        _server.SendStop();
        await _server.WaitForShutdownAsync(cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _server?.Dispose();
        _server = null;
    }
}
