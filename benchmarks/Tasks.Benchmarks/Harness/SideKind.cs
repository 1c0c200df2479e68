namespace Tasks.Benchmarks.Harness;

/// <summary>Which half of a row: the work through Tasks, or the same work through the engine's own API.</summary>
public enum SideKind
{
    /// <summary>Through <c>ITaskQueue</c> and a Tasks worker.</summary>
    Tasks,

    /// <summary>Through the engine's own client and consumer.</summary>
    Native,
}
