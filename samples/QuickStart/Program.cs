using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using QuickStart;
using Tasks;

// The quick start: define a task, enqueue it, watch a worker run it on the embedded InMemory backend, print results.
var builder = Host.CreateApplicationBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning).AddFilter("QuickStart", LogLevel.Information);
builder.Services.AddTasks(tasks => tasks
    .AddTask<PagePublished, string, NotifySubscriber>("pages.notify-subscriber", o =>
    {
        o.Queue = "emails";
        o.Priority = 10;
        o.MaxAttempts = 3;
        o.Backoff = RetryBackoff.Fixed(TimeSpan.FromMilliseconds(200));
    })
    .AddWorker(w => w.Concurrency = 2)); // no backend configured: the embedded InMemory backend is used

using var host = builder.Build();
await host.StartAsync();
var queue = host.Services.GetRequiredService<ITaskQueue>();

var now = await queue.EnqueueAsync(new PagePublished(1, 42, "Hello, tasks"));
var later = await queue.Delay(TimeSpan.FromSeconds(1)).EnqueueAsync(new PagePublished(2, 42, "Deferred by one second"));
var urgent = await queue.With(priority: 90).EnqueueAsync(new PagePublished(3, 7, "A flaky one, retried"));
var many = await queue.EnqueueManyAsync(Enumerable.Range(100, 5).Select(i => new PagePublished(i, i, $"Bulk #{i}")));

Console.WriteLine($"Enqueued {3 + many.Count} tasks; waiting for them to finish...");
foreach (var id in new[] { now.Id, later.Id, urgent.Id }.Concat(many.Select(m => m.Id)))
{
    var result = await queue.WaitAsync(id, TimeSpan.FromSeconds(30));
    var page = result.GetArguments<PagePublished>();
    Console.WriteLine($"{result.Status,-9} {page.Title,-24} -> {result.GetReturnValue<string>(),-14} attempts={result.Attempts} errors={result.Errors.Count} ran {(result.FinishedAt - result.EnqueuedAt)?.TotalMilliseconds:F0} ms after enqueue");
}

await host.StopAsync();
Console.WriteLine("Done.");
