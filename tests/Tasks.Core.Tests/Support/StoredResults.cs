using Tasks.Backends;

namespace Tasks.Core.Tests.Support;

/// <summary>Results put straight into a store, for tests of what writes them next.</summary>
internal static class StoredResults
{
    /// <summary>Stores and returns the Ready result (version 0) of a new task, as an enqueue leaves it.</summary>
    public static async Task<TaskResult> ReadyAsync(InMemoryTaskResultStore store, TimeProvider time)
    {
        var envelope = new TaskEnvelope { Id = Guid.NewGuid().ToString(), TaskName = "x", Queue = "default", Arguments = "{}", EnqueuedAt = time.GetUtcNow() };
        var ready = TaskResult.ForEnqueued(envelope, "test");
        await store.CreateAsync([ready]);
        return ready;
    }
}
