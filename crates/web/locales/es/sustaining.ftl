health-link = Salud de la asociación: señales, tendencias y alertas
health-col-status = Estado
nav-health = Salud
health-department-title = Salud de las asociaciones
health-department-intro = Las señales de cada asociación en una sola página: cuál se está debilitando y por qué. Cada señal se muestra por sí sola con sus cifras; no hay una puntuación única.
health-partnership-title = Salud de { $name }
health-partnership-intro = Las asociaciones mueren en silencio: la asistencia baja, un copresidente se va, las promesas se atrasan. Estas señales lo muestran a tiempo, cada una con un siguiente paso sugerido.
health-computed = Último cálculo: { $when }.
health-never = todavía no
health-refresh = Recalcular ahora
health-counts = Asociaciones por nivel general
health-open-alerts = Alertas abiertas
health-no-alerts = No hay alertas abiertas.
health-map-title = La salud de las asociaciones en el mapa
health-map-desc = Las áreas de cada asociación coloreadas según su nivel general; la tabla de abajo tiene la misma información.
health-table-title = Señales por asociación
health-sort-hint = Seleccione un encabezado de columna para ordenar por él (lo peor primero).
health-col-partnership = Asociación
health-col-overall = General
health-col-alerts = Alertas abiertas
health-col-trend = Tendencia (últimos 12 meses)
health-trend-text = Nivel general de { $from } a { $to }
health-trend-of = Tendencia de { $signal }
health-trend-data = Datos de la tendencia
health-day = Día
health-value = Valor
health-signals-title = Señales
health-not-computed = Las señales todavía no se han calculado.
health-alerts-title = Alertas
health-open = abierta
health-resolved-on = resuelta el { $when }
health-raised-on = emitida el { $when }
health-done = Lo que se hizo
health-action-label = Qué se hizo al respecto
health-action-submit = Registrar la acción
health-action-error = Indique qué se hizo (de 3 a 2.000 caracteres).
health-suggested = Siguiente paso sugerido
health-no-data = Todavía no hay datos suficientes.
health-email-subject = { $partnership }: { $signal } necesita atención
health-settings-title = Ajustes de salud
health-coordinators = Coordinadores de policía comunitaria
health-coordinators-hint = Reciben las alertas de salud de todas las asociaciones. Si no se elige a nadie, las reciben los administradores.
health-thresholds = Umbrales (JSON)
health-thresholds-hint = Los campos omitidos toman el valor predeterminado. Las proporciones van de 0 a 1; las duraciones, en días. Cada umbral de alerta debe ser más estricto que su umbral de vigilancia.
health-defaults = Umbrales predeterminados
health-save = Guardar
health-level-no-data = Sin datos
health-level-ok = Bien
health-level-watch = Vigilar
health-level-alert = Alerta
health-signal-meetings = Reuniones
health-signal-community-attendance = Asistencia de la comunidad
health-signal-attendance-balance = Equilibrio de asistencia
health-signal-promises-kept = Promesas cumplidas
health-signal-decisions = Decisiones
health-signal-problems = Resolución de problemas
health-signal-leadership = Liderazgo
health-signal-representation = Representación
health-signal-churn = Rotación de miembros
health-signal-reports = Reportes de la comunidad
health-signal-trust = Confianza en la policía
health-says-meetings =
    { $held ->
        [one] 1 reunión celebrada
       *[other] { $held } reuniones celebradas
    } en los últimos seis meses; la frecuencia del acta constitutiva espera { $expected }.
health-says-community-attendance =
    { $last ->
        [one] 1 residente vino
       *[other] { $last } residentes vinieron
    } a la última reunión; { $declines ->
        [0] la asistencia de la comunidad no ha bajado.
        [one] la asistencia de la comunidad ha bajado una vez (desde { $from }).
       *[other] la asistencia de la comunidad ha bajado { $declines } reuniones seguidas (desde { $from }).
    }
health-says-attendance-balance = Asistencia en seis meses: { $police } registros de policía y { $community } de la comunidad.
health-says-promises-kept = Promesas vencidas en el último año cumplidas a tiempo: policía { $police_kept } de { $police_due }, comunidad { $community_kept } de { $community_due }.
health-says-decisions =
    { $closed ->
        [one] 1 decisión cerrada
       *[other] { $closed } decisiones cerradas
    } en los últimos seis meses.
health-says-decisions-both =
    { $closed ->
        [one] 1 decisión cerrada
       *[other] { $closed } decisiones cerradas
    } en los últimos seis meses; en promedio votó el { $police_participation } % de los miembros policías y el { $community_participation } % de los miembros de la comunidad.
health-says-problems =
    { $active ->
        [one] 1 problema
       *[other] { $active } problemas
    } en el plan; el más antiguo lleva { $longest_days } días en su etapa.
health-says-problems-none = No hay ningún problema en el plan.
health-says-leadership-vacant =
    { $vacant ->
        [one] 1 puesto de copresidencia vacante
       *[other] { $vacant } puestos de copresidencia vacantes
    }, el más antiguo desde hace { $vacant_days } días.
health-says-leadership-term = Ambos puestos de copresidencia están ocupados; el próximo mandato termina en { $term_ends_in_days } días.
health-says-leadership-ok = Ambos puestos de copresidencia están ocupados.
health-says-representation =
    { $groups ->
        [one] 1 grupo del censo tiene
       *[other] { $groups } grupos del censo tienen
    } menos de la mitad de su proporción del área entre los miembros de la comunidad.
health-says-churn =
    { $left ->
        [one] 1 miembro se fue
       *[other] { $left } miembros se fueron
    } en los últimos seis meses; { $active } están activos.
health-says-reports =
    { $reports ->
        [one] 1 reporte de la comunidad esperó
       *[other] { $reports } reportes de la comunidad esperaron
    } en seis meses una mediana de { $median_days } días la primera respuesta ({ $waiting } siguen esperando).
health-says-reports-none = No se asignaron reportes de la comunidad en los últimos seis meses.
health-says-trust = Confianza en la policía en el área: { $mean } de 100 (IC 95 % { $lo }–{ $hi }).
health-says-trust-change = Confianza en la policía en el área: { $mean } de 100 (IC 95 % { $lo }–{ $hi }); la ola anterior: { $previous }.
health-suggest-schedule-meeting = Programe ya la próxima reunión, con la frecuencia del acta constitutiva.
health-suggest-run-time-poll = Haga una encuesta de horarios para una nueva hora de reunión.
health-suggest-invite-side = Invite a miembros del lado con menos presencia y pregunte qué les impide venir.
health-suggest-review-promises = Revise las promesas atrasadas en la próxima reunión: renueve, reasigne o abandone cada una, de forma abierta.
health-suggest-open-decision = Plantee la próxima cuestión a los miembros como una decisión que necesite a ambos lados.
health-suggest-review-problem = Revise el plan de problemas: avance el problema estancado, vuelva atrás, ciérrelo o busque uno nuevo.
health-suggest-start-election = Inicie una elección para el puesto de copresidencia vacante.
health-suggest-plan-handover = Planifique el relevo: encuentre un sucesor antes de que termine el mandato.
health-suggest-outreach = Acérquese a los grupos subrepresentados: reúnase donde están, con interpretación.
health-suggest-exit-conversations = Pregunte a los miembros que se fueron por qué y qué les haría volver.
health-suggest-triage-reports = Clasifique los reportes de la comunidad en espera y responda a cada uno.
health-suggest-listening-session = Organice una sesión de escucha sobre la confianza con los residentes.
