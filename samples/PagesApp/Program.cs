using PagesApp;
using Tasks;

// The same build runs on every backend: `Tasks:*` in appsettings.json or environment variables
// (e.g. Tasks__Backends__main__Type=Redis) pick the engine; the code below never changes.
var builder = WebApplication.CreateBuilder(args);
builder.Services.Configure<MailOptions>(builder.Configuration.GetSection("Mail"));
builder.Services.AddSingleton<FolderMailSender>();
builder.Services.AddTasks(tasks => tasks
    .AddTask<NotifySubscriberArgs, string, NotifySubscriber>(NotifySubscriber.Name, o =>
    {
        o.Queue = "emails";
        o.MaxAttempts = 3;
    })
    .AddKnownBackendTypes()
    .AddWorker(w => w.Concurrency = 4));

var app = builder.Build();

app.MapPost("/pages/{id:int}/publish", async (int id, PublishRequest request, ITaskQueue queue, CancellationToken ct) =>
{
    var results = await queue.EnqueueManyAsync(request.Subscribers.Select(s => new NotifySubscriberArgs(id, request.Title, s)), ct);
    return Results.Accepted(value: new { page = id, tasks = results.Select(r => r.Id) });
});

app.MapGet("/tasks/{id}", async (string id, ITaskQueue queue, CancellationToken ct) =>
{
    try
    {
        var r = await queue.GetResultAsync(id, ct);
        return Results.Ok(new
        {
            id = r.Id,
            task = r.TaskName,
            backend = r.Backend,
            status = r.Status.ToString(),
            attempts = r.Attempts,
            result = r.Status == TaskResultStatus.Succeeded ? r.GetReturnValue<string>() : null,
            errors = r.Errors.Select(e => $"{e.ExceptionType}: {e.Message}"),
        });
    }
    catch (TaskNotFoundException ex)
    {
        return Results.NotFound(new { error = ex.Message });
    }
});

app.MapGet("/", (ITaskBackendProvider backends) => Results.Ok(new { backend = backends.DefaultAlias, type = backends.Get().GetType().Name }));

app.Run();
