namespace Tasks.Quartz;

/// <summary>Where Quartz keeps jobs and triggers.</summary>
public enum QuartzJobStoreKind
{
    /// <summary>Quartz's RAMJobStore: one scheduler in this process, nothing survives it. The embedded option.</summary>
    Ram = 0,

    /// <summary>Quartz's ADO.NET job store on PostgreSQL, clustered by default: several worker processes share one database. The production option.</summary>
    AdoNet = 1,
}
