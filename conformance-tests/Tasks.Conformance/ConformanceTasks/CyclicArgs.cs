namespace Tasks.Conformance.ConformanceTasks;

/// <summary>Arguments that cannot be serialized when <see cref="Next"/> points back at itself.</summary>
public sealed class CyclicArgs
{
    /// <summary>A name.</summary>
    public string Name { get; set; } = "";

    /// <summary>Another instance, or itself to make a cycle.</summary>
    public CyclicArgs? Next { get; set; }
}
