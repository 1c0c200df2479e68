using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace Tasks;

/// <summary>Starts the workers configured in code (<c>AddWorker</c>) and in <c>Tasks:Workers</c>, and stops them gracefully with the host.</summary>
internal sealed class TaskWorkerHostedService(ITaskBackendProvider backends, TasksSettings settings, IEnumerable<TaskWorkerRegistration> registrations, IServiceProvider services) : IHostedService, IAsyncDisposable
{
    private readonly List<ITaskWorker> _workers = [];

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var options in registrations.Select(r => r.Options).Concat(FromConfiguration()))
        {
            var worker = backends.CreateWorker(options);
            _workers.Add(worker);
            await worker.StartAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) =>
        Task.WhenAll(_workers.Select(w => w.StopAsync(cancellationToken)));

    public async ValueTask DisposeAsync()
    {
        foreach (var w in _workers)
        {
            await w.DisposeAsync().ConfigureAwait(false);
        }
    }

    private IEnumerable<TaskWorkerOptions> FromConfiguration()
    {
        var section = TasksConfiguration.Section(settings, services);
        foreach (var w in section?.GetSection("Workers").GetChildren() ?? [])
        {
            var defaults = new TaskWorkerOptions();
            yield return new TaskWorkerOptions
            {
                Backend = ConfigurationValues.GetString(w, "Backend"),
                Queues = ConfigurationValues.GetList(w, "Queues"),
                Concurrency = ConfigurationValues.GetInt32(w, "Concurrency", defaults.Concurrency),
                WorkerId = ConfigurationValues.GetString(w, "WorkerId"),
                ShutdownTimeout = ConfigurationValues.GetTimeSpan(w, "ShutdownTimeout", defaults.ShutdownTimeout),
                ErrorDelay = ConfigurationValues.GetTimeSpan(w, "ErrorDelay", defaults.ErrorDelay),
            };
        }
    }
}
