using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Tasks.Diagnostics;
using Tasks.Execution;

namespace Tasks;

/// <summary>The <see cref="ITaskQueue"/> implementation: validates, serializes, traces and hands envelopes to backends.</summary>
internal sealed class TaskQueue : ITaskQueue
{
    private readonly Shared _shared;
    private readonly Overrides _overrides;

    public TaskQueue(TaskRegistry registry, ITaskBackendProvider backends, TasksSettings settings, TasksInstrumentation instrumentation, TaskObservers observers, ILogger<TaskQueue> logger, TimeProvider time)
        : this(new Shared(registry, backends, settings, instrumentation, observers, logger, time), new Overrides(null, null, null, null, null))
    {
    }

    private TaskQueue(Shared shared, Overrides overrides)
    {
        _shared = shared;
        _overrides = overrides;
    }

    public ITaskQueue With(string? queue = null, int? priority = null, DateTimeOffset? runAfter = null, string? backend = null)
    {
        if (queue is not null)
        {
            TaskValidation.ValidateQueueName(queue, backend);
        }

        if (priority is { } p && !TaskPriority.IsValid(p))
        {
            throw new InvalidTaskException($"Priority {p} is out of range: it must be between {TaskPriority.Min} and {TaskPriority.Max}.", "Priority", backend);
        }

        if (backend is not null)
        {
            _ = _shared.Backends.Get(backend); // unknown alias fails here, and again at enqueue
        }

        return new TaskQueue(_shared, new Overrides(
            queue ?? _overrides.Queue,
            priority ?? _overrides.Priority,
            runAfter?.ToUniversalTime() ?? _overrides.RunAfter,
            runAfter is null ? _overrides.Delay : null,
            backend ?? _overrides.Backend));
    }

    public ITaskQueue RunAfter(DateTime runAfterUtc)
    {
        if (runAfterUtc.Kind != DateTimeKind.Utc)
        {
            throw new InvalidTaskException($"RunAfter {runAfterUtc:O} has DateTimeKind.{runAfterUtc.Kind}, so its instant is ambiguous: pass a UTC DateTime or a DateTimeOffset.", "RunAfter");
        }

        return new TaskQueue(_shared, _overrides with { RunAfter = new DateTimeOffset(runAfterUtc), Delay = null });
    }

    public ITaskQueue Delay(TimeSpan delay)
    {
        if (delay < TimeSpan.Zero)
        {
            throw new InvalidTaskException($"Delay {delay} is negative.", "RunAfter");
        }

        return new TaskQueue(_shared, _overrides with { Delay = delay, RunAfter = null });
    }

    public Task<TaskResult> EnqueueAsync<TArgs>(TArgs args, CancellationToken cancellationToken = default) =>
        EnqueueOneAsync(_shared.Registry.GetByArguments(typeof(TArgs)), args, cancellationToken);

    public Task<TaskResult> EnqueueAsync<TArgs>(string taskName, TArgs args, CancellationToken cancellationToken = default) =>
        EnqueueOneAsync(Definition<TArgs>(taskName), args, cancellationToken);

    public Task<IReadOnlyList<TaskResult>> EnqueueManyAsync<TArgs>(IEnumerable<TArgs> args, CancellationToken cancellationToken = default) =>
        EnqueueManyCoreAsync(_shared.Registry.GetByArguments(typeof(TArgs)), args, cancellationToken);

    public Task<IReadOnlyList<TaskResult>> EnqueueManyAsync<TArgs>(string taskName, IEnumerable<TArgs> args, CancellationToken cancellationToken = default) =>
        EnqueueManyCoreAsync(Definition<TArgs>(taskName), args, cancellationToken);

    public async Task<TaskResult> GetResultAsync(string id, CancellationToken cancellationToken = default)
    {
        TaskValidation.ValidateId(id);
        foreach (var backend in CandidateBackends(TaskBackendCapabilities.Results, "reading results"))
        {
            try
            {
                return Attach(await backend.GetResultAsync(id, cancellationToken).ConfigureAwait(false));
            }
            catch (TaskNotFoundException)
            {
                // Try the next backend that keeps results.
            }
        }

        throw new TaskNotFoundException(id, _overrides.Backend);
    }

    public async Task<TaskResult> WaitAsync(string id, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        if (timeout != Timeout.InfiniteTimeSpan)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(timeout, TimeSpan.Zero);
        }

        var now = _shared.Time.GetUtcNow();
        var deadline = timeout == Timeout.InfiniteTimeSpan || timeout >= DateTimeOffset.MaxValue - now ? DateTimeOffset.MaxValue : now + timeout;
        var pause = TimeSpan.FromMilliseconds(5);
        while (true)
        {
            var result = await GetResultAsync(id, cancellationToken).ConfigureAwait(false);
            if (result.IsFinished)
            {
                return result;
            }

            if (_shared.Time.GetUtcNow() >= deadline)
            {
                throw new TimeoutException($"Task '{id}' did not finish within {timeout}; its status is {result.Status}.");
            }

            await Task.Delay(pause, _shared.Time, cancellationToken).ConfigureAwait(false);
            pause = TimeSpan.FromTicks(Math.Min(pause.Ticks * 2, TimeSpan.FromMilliseconds(200).Ticks));
        }
    }

    public async Task<bool> CancelAsync(string id, CancellationToken cancellationToken = default)
    {
        TaskValidation.ValidateId(id);
        foreach (var backend in CandidateBackends(TaskBackendCapabilities.Cancel, "cancelling tasks"))
        {
            try
            {
                return await backend.CancelAsync(id, cancellationToken).ConfigureAwait(false);
            }
            catch (TaskNotFoundException)
            {
                // Try the next backend.
            }
        }

        throw new TaskNotFoundException(id, _overrides.Backend);
    }

    private TaskDefinition Definition<TArgs>(string taskName)
    {
        var definition = _shared.Registry.Get(taskName);
        if (!definition.ArgumentsType.IsAssignableFrom(typeof(TArgs)))
        {
            throw new InvalidTaskException($"Task '{taskName}' takes {definition.ArgumentsType.FullName}, not {typeof(TArgs).FullName}.", "Arguments");
        }

        return definition;
    }

    private IEnumerable<ITaskBackend> CandidateBackends(TaskBackendCapabilities needed, string what)
    {
        var backends = _shared.Backends;
        if (_overrides.Backend is not null)
        {
            var only = backends.Get(_overrides.Backend);
            return only.Capabilities.HasFlag(needed) ? [only] : throw new TaskNotSupportedException(only.Alias, what, needed);
        }

        var first = backends.Get();
        var all = new[] { first }.Concat(backends.Aliases.Where(a => a != first.Alias).Select(a => backends.Get(a))).Where(b => b.Capabilities.HasFlag(needed)).ToArray();
        return all.Length > 0 ? all : throw new TaskNotSupportedException(first.Alias, what, needed);
    }

    private async Task<TaskResult> EnqueueOneAsync<TArgs>(TaskDefinition definition, TArgs args, CancellationToken cancellationToken)
    {
        var backend = _shared.Backends.Get(_overrides.Backend ?? definition.Backend);
        using var activity = StartEnqueueActivity(definition, backend);
        var envelope = CreateEnvelope(new TaskIds(1).Next(), definition, backend, args, activity);
        activity?.SetTag("task.id", envelope.Id);
        TaskValidation.Validate(envelope, backend);
        var result = Attach(await backend.EnqueueAsync(envelope, cancellationToken).ConfigureAwait(false));
        await AfterEnqueueAsync(result, cancellationToken).ConfigureAwait(false);
        return result;
    }

    private async Task<IReadOnlyList<TaskResult>> EnqueueManyCoreAsync<TArgs>(TaskDefinition definition, IEnumerable<TArgs> args, CancellationToken cancellationToken)
    {
        var backend = _shared.Backends.Get(_overrides.Backend ?? definition.Backend);
        using var activity = StartEnqueueActivity(definition, backend);
        var expected = args.TryGetNonEnumeratedCount(out var count) ? count : 0;
        var envelopes = new List<TaskEnvelope>(expected);
        var ids = new TaskIds(expected);
        var errors = new List<KeyValuePair<int, InvalidTaskException>>();
        var index = 0;
        foreach (var item in args)
        {
            try
            {
                var envelope = CreateEnvelope(ids.Next(), definition, backend, item, activity);
                TaskValidation.Validate(envelope, backend);
                envelopes.Add(envelope);
            }
            catch (InvalidTaskException ex)
            {
                errors.Add(new(index, ex));
            }

            index++;
        }

        if (errors.Count > 0)
        {
            throw new TaskBulkEnqueueException(errors);
        }

        if (envelopes.Count == 0)
        {
            return [];
        }

        var results = await backend.EnqueueManyAsync(envelopes, cancellationToken).ConfigureAwait(false);
        var attached = new TaskResult[results.Count];
        for (var i = 0; i < attached.Length; i++)
        {
            attached[i] = Attach(results[i]);
            await AfterEnqueueAsync(attached[i], cancellationToken).ConfigureAwait(false);
        }

        return attached;
    }

    private Activity? StartEnqueueActivity(TaskDefinition definition, ITaskBackend backend)
    {
        var activity = _shared.Instrumentation.ActivitySource.StartActivity($"enqueue {definition.Name}", ActivityKind.Producer);
        activity?.SetTag("task.name", definition.Name);
        activity?.SetTag("task.backend", backend.Alias);
        return activity;
    }

    private TaskEnvelope CreateEnvelope<TArgs>(string id, TaskDefinition definition, ITaskBackend backend, TArgs args, Activity? activity)
    {
        var now = _shared.Time.GetUtcNow();
        var runAfter = _overrides.RunAfter ?? (_overrides.Delay is { } d ? now + d : null);
        var trace = activity ?? Activity.Current;
        return new TaskEnvelope
        {
            Id = id,
            TaskName = definition.Name,
            Queue = _overrides.Queue ?? definition.Queue,
            Priority = _overrides.Priority ?? definition.Priority,
            RunAfter = runAfter?.ToUniversalTime(),
            Arguments = Serialize(definition, backend, args),
            MaxAttempts = definition.MaxAttempts,
            EnqueuedAt = now,
            TraceParent = trace?.Id,
            TraceState = trace?.TraceStateString,
        };
    }

    private string Serialize<TArgs>(TaskDefinition definition, ITaskBackend backend, TArgs args)
    {
        var serializer = _shared.Settings.Serializer;
        string json;
        try
        {
            json = serializer.Serialize(args, definition.ArgumentsType);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw new TaskSerializationException($"The arguments of task '{definition.Name}' ({definition.ArgumentsType.FullName}) cannot be serialized for backend '{backend.Alias}': {ex.Message}", ex);
        }

        if (_shared.Settings.VerifyRoundTrip)
        {
            try
            {
                _ = serializer.Deserialize(json, definition.ArgumentsType);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                throw new TaskSerializationException($"The arguments of task '{definition.Name}' serialize but do not read back as {definition.ArgumentsType.FullName}, so a worker could never run it: {ex.Message}", ex);
            }
        }

        return json;
    }

    private async Task AfterEnqueueAsync(TaskResult result, CancellationToken cancellationToken)
    {
        _shared.Instrumentation.Enqueued.Add(1, new TagList { { "task.name", result.TaskName }, { "task.queue", result.Queue }, { "task.backend", result.Backend } });
        TasksLog.Enqueued(_shared.Logger, result.TaskName, result.Id, result.Backend, result.Queue);
        await _shared.Observers.EnqueuedAsync(result, cancellationToken).ConfigureAwait(false);
    }

    private TaskResult Attach(TaskResult result) => result with { Serializer = _shared.Settings.Serializer };

    private sealed record Overrides(string? Queue, int? Priority, DateTimeOffset? RunAfter, TimeSpan? Delay, string? Backend);

    private sealed record Shared(TaskRegistry Registry, ITaskBackendProvider Backends, TasksSettings Settings, TasksInstrumentation Instrumentation, TaskObservers Observers, ILogger Logger, TimeProvider Time);
}
