namespace Tasks;

/// <summary>The priority scale shared by every backend: larger runs sooner.</summary>
public static class TaskPriority
{
    /// <summary>The lowest priority, -100.</summary>
    public const int Min = -100;

    /// <summary>The highest priority, 100.</summary>
    public const int Max = 100;

    /// <summary>The priority of a task that does not set one, 0.</summary>
    public const int Default = 0;

    /// <summary>Whether <paramref name="priority"/> is inside <see cref="Min"/>..<see cref="Max"/>.</summary>
    public static bool IsValid(int priority) => priority is >= Min and <= Max;
}
